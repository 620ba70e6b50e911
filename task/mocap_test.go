package task

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testASF = ":version 1.10\r\n:root\r\n   order TX TY TZ RX RY RZ\r\n   axis XYZ\r\n:bonedata\r\n  begin\r\n     id 1\r\n     name hip\r\n  end\r\n" +
	"  begin\r\n     id 2\r\n     name femur\r\n    dof rx ry rz\r\n    limits (-160.0 20.0)\r\n  end\r\n  begin\r\n     name tibia\r\n    dof rx\r\n  end\r\n:hierarchy\r\n  begin\r\n    root hip\r\n  end\r\n"

const testAMC = "#!OML:ASF x\r\n:FULLY-SPECIFIED\r\n:DEGREES\r\n1\r\nroot 1 2 3 4 5 6\r\ntibia 10\r\nfemur 7 8 9\r\n2\r\nroot 1 2 3 4 5 6\r\nfemur 17 18 19\r\ntibia 20\r\n"

func TestReadASFAndAMC(t *testing.T) {
	sk, err := ReadASF(strings.NewReader(testASF))
	if err != nil {
		t.Fatal(err)
	}
	if len(sk.Root) != 6 || len(sk.Bones) != 3 || len(sk.Bones[0].DOF) != 0 || sk.Bones[1].DOF[2] != "rz" {
		t.Fatalf("skeleton %+v", sk)
	}
	m, err := ReadAMC(strings.NewReader(testAMC), sk)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"root.TX", "root.TY", "root.TZ", "root.RX", "root.RY", "root.RZ", "tibia.rx", "femur.rx", "femur.ry", "femur.rz"}
	if strings.Join(m.Channels, ",") != strings.Join(want, ",") || len(m.Frames) != 2 {
		t.Fatalf("channels %v, %d frames", m.Channels, len(m.Frames))
	}
	// Frame 2 lists femur before tibia: values go by bone name.
	if m.Frames[1][6] != 20 || m.Frames[1][7] != 17 {
		t.Fatalf("frame 2 = %v", m.Frames[1])
	}
	j := m.WithoutRoot()
	if len(j.Channels) != 4 || j.Frames[0][0] != 10 {
		t.Fatalf("without root: %v %v", j.Channels, j.Frames[0])
	}
	for name, amc := range map[string]string{
		"unknown bone":  "1\nroot 1 2 3 4 5 6\nneck 1\n",
		"wrong count":   "1\nroot 1 2 3 4 5 6\nfemur 1 2\n",
		"missing bone":  "1\nroot 1 2 3 4 5 6\ntibia 1\nfemur 1 2 3\n2\nroot 1 2 3 4 5 6\ntibia 1\n",
		"no frame":      "root 1 2 3 4 5 6\n",
		"bad value":     "1\nroot 1 2 3 4 5 x\n",
		"empty":         "#x\n",
		"repeated bone": "1\nroot 1 2 3 4 5 6\ntibia 1\ntibia 2\n",
	} {
		if _, err := ReadAMC(strings.NewReader(amc), sk); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := ReadASF(strings.NewReader(":bonedata\nbegin\nname a\n")); err == nil {
		t.Error("ASF without root order or bone end accepted")
	}
}

func TestLoadMocapSubject35(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "data", "mocap")
	if _, err := os.Stat(filepath.Join(dir, "35_01.amc")); err != nil {
		t.Skip("shared data not present:", dir)
	}
	m, err := LoadMocap(filepath.Join(dir, "35.asf"), filepath.Join(dir, "35_01.amc"))
	if err != nil {
		t.Fatal(err)
	}
	j := m.WithoutRoot()
	if len(m.Frames) != 358 || len(m.Channels) != 62 || len(j.Channels) != 56 {
		t.Fatalf("%d frames, %d channels, %d without root", len(m.Frames), len(m.Channels), len(j.Channels))
	}
	lo, hi := 1e9, -1e9
	for _, fr := range j.Frames {
		for _, v := range fr {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	// The spec measured the joint-angle range −83.37° (rhumerus.rz) to +87.44° (lhumerus.rz).
	if lo < -83.38 || lo > -83.36 || hi < 87.43 || hi > 87.45 {
		t.Fatalf("joint-angle range [%g, %g]", lo, hi)
	}
}

func FuzzReadAMC(f *testing.F) {
	sk, _ := ReadASF(strings.NewReader(testASF))
	f.Add(testAMC)
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ReadAMC(strings.NewReader(s), sk)
		if err != nil {
			return
		}
		for _, fr := range m.Frames {
			if len(fr) != len(m.Channels) {
				t.Fatalf("frame of %d values for %d channels", len(fr), len(m.Channels))
			}
		}
	})
}

func FuzzReadASF(f *testing.F) {
	f.Add(testASF)
	f.Fuzz(func(t *testing.T, s string) {
		sk, err := ReadASF(strings.NewReader(s))
		if err != nil {
			return
		}
		if len(sk.Root) == 0 {
			t.Fatal("skeleton without root order accepted")
		}
	})
}

// TestReadASFStrict checks that lines the ASF format does not allow inside
// (or between) begin … end blocks are errors naming their line.
func TestReadASFStrict(t *testing.T) {
	head := ":root\n order TX TY TZ RX RY RZ\n:bonedata\n"
	for _, c := range []struct {
		name, asf, line string
	}{
		{"garbage in bone block", head + "begin\nname a\nxyzzy 1 2\nend\n", "line 6:"},
		{"bare word in bone block", head + "begin\nname a\ngarbage\nend\n", "line 6:"},
		{"limits continuation without limits", head + "begin\nname a\ndof rx\n(-1 1)\nend\n", "line 7:"},
		{"name with two words", head + "begin\nname a b\nend\n", "line 5:"},
		{"line between bone blocks", head + "begin\nname a\nend\nstray\n", "line 7:"},
		{"begin inside a bone block", head + "begin\nname a\nbegin\nend\n", "line 6:"},
		{"section inside a bone block", head + "begin\nname a\n:hierarchy\n", "line 6:"},
		{"unknown bone in hierarchy", head + "begin\nname a\nend\n:hierarchy\nbegin\nroot a b\nend\n", "line 9:"},
		{"line outside the hierarchy block", head + "begin\nname a\nend\n:hierarchy\nroot a\n", "line 8:"},
		{"hierarchy without end", head + "begin\nname a\nend\n:hierarchy\nbegin\nroot a\n", "no end"},
	} {
		_, err := ReadASF(strings.NewReader(c.asf))
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.line) {
			t.Errorf("%s: error %q does not say %q", c.name, err, c.line)
		}
	}
	ok := head + "begin\nid 1\nname a\ndirection 0 1 0\nlength 2\naxis 0 0 0 XYZ\ndof rx rz\nlimits (-1 1)\n(-2 2)\nbodymass 1\ncofmass 0.5\nend\n:hierarchy\nbegin\nroot a\nend\n"
	if sk, err := ReadASF(strings.NewReader(ok)); err != nil || len(sk.Bones) != 1 || len(sk.Bones[0].DOF) != 2 {
		t.Fatalf("full bone block: %v %+v", err, sk)
	}
}
