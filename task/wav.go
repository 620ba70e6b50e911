package task

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// WAV is a decoded PCM recording: one slice of samples per channel, each
// sample in [−1, 1) (16-bit values divided by 32768), at Rate samples per
// second.
type WAV struct {
	Rate     float64     // sample rate (Hz)
	Channels [][]float64 // samples by channel
}

// maxWAVChannels bounds the channel count DecodeWAV accepts.
const maxWAVChannels = 2

// DecodeWAV decodes a RIFF/WAVE file of 16-bit integer PCM, mono or
// stereo. Chunks other than "fmt " and "data" (LIST, fact, …) are skipped;
// a data chunk that claims more bytes than the file holds is an error, as
// are a missing fmt or data chunk, another sample format and an empty
// recording.
func DecodeWAV(b []byte) (*WAV, error) {
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, errors.New("wav: not a RIFF/WAVE file")
	}
	var (
		haveFmt          bool
		format, channels uint16
		rate             uint32
		bits, blockAlign uint16
		data             []byte
		haveData         bool
	)
	p := 12
	for p+8 <= len(b) {
		id := string(b[p : p+4])
		size := int64(binary.LittleEndian.Uint32(b[p+4 : p+8]))
		body := int64(p + 8)
		if size > int64(len(b))-body {
			return nil, fmt.Errorf("wav: chunk %q claims %d bytes, the file has %d left", id, size, int64(len(b))-body)
		}
		c := b[body : body+size]
		switch id {
		case "fmt ":
			if len(c) < 16 {
				return nil, fmt.Errorf("wav: fmt chunk of %d bytes is too short", len(c))
			}
			format = binary.LittleEndian.Uint16(c[0:])
			channels = binary.LittleEndian.Uint16(c[2:])
			rate = binary.LittleEndian.Uint32(c[4:])
			blockAlign = binary.LittleEndian.Uint16(c[12:])
			bits = binary.LittleEndian.Uint16(c[14:])
			if format == 0xFFFE && len(c) >= 26 { // WAVE_FORMAT_EXTENSIBLE: the sub-format's first two bytes
				format = binary.LittleEndian.Uint16(c[24:])
			}
			haveFmt = true
		case "data":
			data, haveData = c, true
		}
		p = int(body + size + size&1) // chunks are padded to an even size
		if haveData && haveFmt {
			break
		}
	}
	if !haveFmt {
		return nil, errors.New("wav: no fmt chunk")
	}
	if !haveData {
		return nil, errors.New("wav: no data chunk")
	}
	if format != 1 || bits != 16 {
		return nil, fmt.Errorf("wav: format %d with %d bits per sample is not supported: use 16-bit integer PCM", format, bits)
	}
	if channels < 1 || channels > maxWAVChannels {
		return nil, fmt.Errorf("wav: %d channels: use mono or stereo", channels)
	}
	if int(blockAlign) != 2*int(channels) {
		return nil, fmt.Errorf("wav: block align %d does not match %d channels of 16 bits", blockAlign, channels)
	}
	if rate == 0 {
		return nil, errors.New("wav: sample rate 0")
	}
	n := len(data) / int(blockAlign)
	if n == 0 {
		return nil, errors.New("wav: the recording is empty")
	}
	w := &WAV{Rate: float64(rate), Channels: make([][]float64, channels)}
	for ch := range w.Channels {
		s := make([]float64, n)
		for i := range s {
			o := i*int(blockAlign) + 2*ch
			s[i] = float64(int16(binary.LittleEndian.Uint16(data[o:]))) / 32768
		}
		w.Channels[ch] = s
	}
	return w, nil
}

// Mono returns the mean of the channels.
func (w *WAV) Mono() []float64 {
	if len(w.Channels) == 1 {
		return w.Channels[0]
	}
	out := make([]float64, len(w.Channels[0]))
	for _, c := range w.Channels {
		for i, v := range c {
			out[i] += v
		}
	}
	for i := range out {
		out[i] /= float64(len(w.Channels))
	}
	return out
}

// EncodeWAV returns a 16-bit PCM RIFF/WAVE file of the channels (equal
// lengths, samples in [−1, 1], clipped) at rate Hz.
func EncodeWAV(rate int, channels ...[]float64) []byte {
	nc := len(channels)
	n := 0
	if nc > 0 {
		n = len(channels[0])
	}
	size := n * nc * 2
	b := make([]byte, 44+size)
	copy(b, "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+size))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1)
	binary.LittleEndian.PutUint16(b[22:], uint16(nc))
	binary.LittleEndian.PutUint32(b[24:], uint32(rate))
	binary.LittleEndian.PutUint32(b[28:], uint32(rate*nc*2))
	binary.LittleEndian.PutUint16(b[32:], uint16(nc*2))
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(size))
	for i := 0; i < n; i++ {
		for c, ch := range channels {
			v := ch[i] * 32768
			v = min(max(v, -32768), 32767)
			binary.LittleEndian.PutUint16(b[44+2*(i*nc+c):], uint16(int16(v)))
		}
	}
	return b
}
