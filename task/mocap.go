package task

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Skeleton is what a motion needs from an ASF skeleton file (CMU motion
// capture): the root's channel order and every bone's degrees of freedom.
type Skeleton struct {
	Root  []string       // root channels, e.g. TX TY TZ RX RY RZ
	Bones []Bone         // bones in file order
	dof   map[string]int // bone name → index in Bones
}

// Bone is one bone of a skeleton with its degrees of freedom (rx, ry, rz,
// in degrees in the motion), possibly none.
type Bone struct {
	Name string
	DOF  []string
}

// maxMocapLine bounds the length of one line of an ASF or AMC file.
const maxMocapLine = 1 << 16

func mocapLines(r io.Reader) *bufio.Scanner {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), maxMocapLine)
	return sc
}

// asfBoneKeys are the keywords a bone's begin … end block of an ASF file
// may hold; "limits" may continue on the following lines, one "(lo hi)"
// pair per degree of freedom.
var asfBoneKeys = map[string]bool{
	"id": true, "name": true, "direction": true, "length": true, "axis": true,
	"dof": true, "limits": true, "bodymass": true, "cofmass": true,
}

// ReadASF reads an ASF skeleton (CRLF or LF line ends). It is strict about
// blocks: inside a bone's begin … end block every line must be one of the
// ASF bone keywords (or a continuation of its limits), inside the
// hierarchy's block every line must name defined bones, and anything else
// is an error that gives the line number.
func ReadASF(r io.Reader) (*Skeleton, error) {
	sk := &Skeleton{dof: map[string]int{}}
	sc := mocapLines(r)
	section := ""
	var cur *Bone
	inHierarchy := false // inside the hierarchy's begin … end
	lastKey := ""        // the previous keyword inside a bone block
	line := 0
	for sc.Scan() {
		line++
		f := strings.Fields(strings.TrimRight(sc.Text(), "\r"))
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if strings.HasPrefix(f[0], ":") {
			if cur != nil || inHierarchy {
				return nil, fmt.Errorf("ASF line %d: section %s inside a begin … end block", line, f[0])
			}
			section = f[0]
			continue
		}
		switch {
		case section == ":root" && f[0] == "order":
			sk.Root = append([]string(nil), f[1:]...)
		case section == ":bonedata" && f[0] == "begin" && len(f) == 1:
			if cur != nil {
				return nil, fmt.Errorf("ASF line %d: begin inside a bone block (missing end)", line)
			}
			cur = &Bone{}
			lastKey = ""
		case section == ":bonedata" && f[0] == "end" && len(f) == 1:
			if cur == nil || cur.Name == "" {
				return nil, fmt.Errorf("ASF line %d: bone without a name", line)
			}
			if _, dup := sk.dof[cur.Name]; dup || cur.Name == "root" {
				return nil, fmt.Errorf("ASF line %d: bone %q defined twice", line, cur.Name)
			}
			sk.dof[cur.Name] = len(sk.Bones)
			sk.Bones = append(sk.Bones, *cur)
			cur = nil
		case section == ":bonedata" && cur == nil:
			return nil, fmt.Errorf("ASF line %d: %q outside a bone's begin … end block", line, f[0])
		case section == ":bonedata" && f[0] == "name":
			if len(f) != 2 {
				return nil, fmt.Errorf("ASF line %d: name takes one word, got %d", line, len(f)-1)
			}
			cur.Name = f[1]
			lastKey = "name"
		case section == ":bonedata" && f[0] == "dof":
			for _, d := range f[1:] {
				switch strings.ToLower(d) {
				case "rx", "ry", "rz", "tx", "ty", "tz", "l":
					cur.DOF = append(cur.DOF, strings.ToLower(d))
				default:
					return nil, fmt.Errorf("ASF line %d: unknown degree of freedom %q", line, d)
				}
			}
			lastKey = "dof"
		case section == ":bonedata" && strings.HasPrefix(f[0], "(") && lastKey == "limits":
			// a further (lo hi) pair of the limits
		case section == ":bonedata":
			if !asfBoneKeys[f[0]] {
				return nil, fmt.Errorf("ASF line %d: unknown line %q inside bone block", line, strings.Join(f, " "))
			}
			lastKey = f[0]
		case section == ":hierarchy" && f[0] == "begin" && len(f) == 1 && !inHierarchy:
			inHierarchy = true
		case section == ":hierarchy" && f[0] == "end" && len(f) == 1 && inHierarchy:
			inHierarchy = false
		case section == ":hierarchy" && inHierarchy:
			for _, b := range f {
				if _, ok := sk.dof[b]; !ok && b != "root" {
					return nil, fmt.Errorf("ASF line %d: hierarchy names %q, which is not a bone", line, b)
				}
			}
		case section == ":hierarchy":
			return nil, fmt.Errorf("ASF line %d: %q outside the hierarchy's begin … end block", line, f[0])
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("ASF: %w", err)
	}
	if len(sk.Root) == 0 {
		return nil, fmt.Errorf("ASF: no :root order line")
	}
	if cur != nil {
		return nil, fmt.Errorf("ASF: bone %q has no end", cur.Name)
	}
	if inHierarchy {
		return nil, fmt.Errorf("ASF: the hierarchy's begin has no end")
	}
	return sk, nil
}

// Motion is an AMC motion: one row of channel values per frame.
type Motion struct {
	// Channels are named bone.dof ("root.TX", "lfemur.rx", ...), in the
	// bone order of the first frame and each bone's DOF order.
	Channels []string
	Frames   [][]float64
}

// ReadAMC reads an AMC motion for skeleton sk. Bones without degrees of
// freedom do not appear; every frame must list the same bones as the first.
func ReadAMC(r io.Reader, sk *Skeleton) (*Motion, error) {
	m := &Motion{}
	col := map[string]int{} // bone → first column
	var frame []float64
	seen := map[string]bool{}
	first := true
	line := 0
	flush := func() error {
		if frame == nil {
			return nil
		}
		if first {
			first = false
		} else if len(seen) != len(col) {
			return fmt.Errorf("AMC frame %d lists %d bones, the first frame %d", len(m.Frames)+1, len(seen), len(col))
		}
		m.Frames = append(m.Frames, frame)
		return nil
	}
	sc := mocapLines(r)
	for sc.Scan() {
		line++
		f := strings.Fields(strings.TrimRight(sc.Text(), "\r"))
		if len(f) == 0 || strings.HasPrefix(f[0], "#") || strings.HasPrefix(f[0], ":") {
			continue
		}
		if len(f) == 1 {
			if _, err := strconv.Atoi(f[0]); err != nil {
				return nil, fmt.Errorf("AMC line %d: %q is neither a frame number nor a bone line", line, f[0])
			}
			if err := flush(); err != nil {
				return nil, err
			}
			frame = make([]float64, len(m.Channels))
			clear(seen)
			continue
		}
		if frame == nil {
			return nil, fmt.Errorf("AMC line %d: bone values before the first frame number", line)
		}
		name := f[0]
		var dofs []string
		if name == "root" {
			dofs = sk.Root
		} else if k, ok := sk.dof[name]; ok {
			dofs = sk.Bones[k].DOF
		} else {
			return nil, fmt.Errorf("AMC line %d: bone %q is not in the skeleton", line, name)
		}
		if len(f)-1 != len(dofs) {
			return nil, fmt.Errorf("AMC line %d: bone %s has %d values, the skeleton gives it %d", line, name, len(f)-1, len(dofs))
		}
		if seen[name] {
			return nil, fmt.Errorf("AMC line %d: bone %s twice in one frame", line, name)
		}
		seen[name] = true
		c, ok := col[name]
		if !ok {
			if !first {
				return nil, fmt.Errorf("AMC line %d: bone %s missing from the first frame", line, name)
			}
			c = len(m.Channels)
			col[name] = c
			for _, d := range dofs {
				m.Channels = append(m.Channels, name+"."+d)
			}
			frame = append(frame, make([]float64, len(dofs))...)
		}
		for k, s := range f[1:] {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return nil, fmt.Errorf("AMC line %d: bad value %q", line, s)
			}
			frame[c+k] = v
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("AMC: %w", err)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if len(m.Frames) == 0 {
		return nil, fmt.Errorf("AMC: no frames")
	}
	return m, nil
}

// WithoutRoot returns the motion without the root's channels (the 56
// joint angles of the CMU skeleton).
func (m *Motion) WithoutRoot() *Motion {
	var keep []int
	out := &Motion{}
	for k, c := range m.Channels {
		if !strings.HasPrefix(c, "root.") {
			keep = append(keep, k)
			out.Channels = append(out.Channels, c)
		}
	}
	for _, fr := range m.Frames {
		row := make([]float64, len(keep))
		for i, k := range keep {
			row[i] = fr[k]
		}
		out.Frames = append(out.Frames, row)
	}
	return out
}

// LoadMocap reads an ASF skeleton and an AMC motion from files.
func LoadMocap(asfPath, amcPath string) (*Motion, error) {
	fa, err := os.Open(asfPath)
	if err != nil {
		return nil, err
	}
	defer fa.Close()
	sk, err := ReadASF(fa)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", asfPath, err)
	}
	fm, err := os.Open(amcPath)
	if err != nil {
		return nil, err
	}
	defer fm.Close()
	m, err := ReadAMC(fm, sk)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", amcPath, err)
	}
	return m, nil
}
