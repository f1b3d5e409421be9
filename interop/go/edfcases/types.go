// Package edfcases holds the Go types, values and helpers our EDF programs share: the test
// types registered with Ergo's net/edf (names "#ergo-ts/interop/go/edfcases/<Type>"), the
// benchmark values bench/edf.ts mirrors, and the typed-JSON ("EJSON") form the vector files
// use to state what a byte sequence decodes to.
package edfcases

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"ergo.services/ergo/gen"
	"ergo.services/ergo/net/edf"
)

// Named scalars, slices, arrays and maps (registered: their names travel on the wire).
type (
	MyInt     int
	MyInt8    int8
	MyUint16  uint16
	MyFloat32 float32
	MyFloat64 float64
	MyBool    bool
	MyString  string
	MyAtoms   []gen.Atom
	MyStrings []string
	// MyBytes is a registered []byte: a registered slice of uint8, not the binary kind.
	MyBytes     []byte
	MyTriple    [3]int16
	MyStrIntMap map[string]int32
	MyPIDs      map[gen.Atom]gen.PID
	// MyPairNames has an array key: fine for a registered map (no fold is sent), while an
	// unregistered map[[2]int8]string cannot be decoded by Go.
	MyPairNames map[[2]int8]string
)

// Point is the smallest struct.
type Point struct {
	X int32
	Y int32
}

// Empty has no fields: a zero-byte body.
type Empty struct{}

// Inner and Complex and Nested are the shapes of the benchmark (bench/edf.ts): Complex has
// strings, ints, a float, a bool, a slice of 5 ints and a nested registered struct.
type Inner struct {
	Name string
	ID   int64
}

type Complex struct {
	Name        string
	Description string
	ID          int
	Count       int32
	Score       float64
	Active      bool
	Values      []int
	Inner       Inner
}

type Nested struct {
	Name  string
	Items []Complex
}

// WithAny holds dynamic values.
type WithAny struct {
	Label string
	Value any
	List  []any
	Dict  map[string]any
}

// Embedded embeds a registered struct: on the wire the embedded struct is one field.
type Embedded struct {
	Point
	Tag MyString
}

// AllKinds has a field of every static kind EDF knows.
type AllKinds struct {
	Bool      bool
	Int       int
	Int8      int8
	Int16     int16
	Int32     int32
	Int64     int64
	Uint      uint
	Uint8     uint8
	Uint16    uint16
	Uint32    uint32
	Uint64    uint64
	Float32   float32
	Float64   float64
	String    string
	Binary    []byte
	Atom      gen.Atom
	Error     error
	Any       any
	PID       gen.PID
	ProcessID gen.ProcessID
	Alias     gen.Alias
	Event     gen.Event
	Ref       gen.Ref
	Time      time.Time
	Slice     []int16
	Array     [2]uint8
	Map       map[gen.Atom]bool
	Named     MyInt
	NamedList MyStrings
	NamedMap  MyStrIntMap
	Struct    Point
	Structs   []Point
	ByName    map[string]Inner
}

// Blob has its own MarshalEDF / UnmarshalEDF: its body is a u32 length and these bytes.
type Blob struct {
	A uint16
	B string
}

func (b Blob) MarshalEDF(w io.Writer) error {
	var h [4]byte
	binary.BigEndian.PutUint16(h[:2], b.A)
	binary.BigEndian.PutUint16(h[2:], uint16(len(b.B)))
	if _, err := w.Write(h[:]); err != nil {
		return err
	}
	_, err := w.Write([]byte(b.B))
	return err
}

func (b *Blob) UnmarshalEDF(data []byte) error {
	if len(data) < 4 {
		return fmt.Errorf("blob too short")
	}
	b.A = binary.BigEndian.Uint16(data)
	n := int(binary.BigEndian.Uint16(data[2:]))
	if len(data) != 4+n {
		return fmt.Errorf("blob length mismatch")
	}
	b.B = string(data[4:])
	return nil
}

// Stamp has MarshalBinary / UnmarshalBinary: the same framing as MarshalEDF.
type Stamp struct {
	Seconds uint32
}

func (s Stamp) MarshalBinary() ([]byte, error) {
	return binary.BigEndian.AppendUint32(nil, s.Seconds), nil
}

func (s *Stamp) UnmarshalBinary(data []byte) error {
	if len(data) != 4 {
		return fmt.Errorf("stamp must be 4 bytes")
	}
	s.Seconds = binary.BigEndian.Uint32(data)
	return nil
}

// Chunk writes its bytes through MarshalEDF in one Write.
type Chunk struct {
	Data []byte
}

func (c Chunk) MarshalEDF(w io.Writer) error {
	_, err := w.Write(c.Data)
	return err
}

func (c *Chunk) UnmarshalEDF(data []byte) error {
	c.Data = append([]byte(nil), data...)
	return nil
}

// ErrCustom is an application error registered in the ErrCache (after the framework's 15).
var ErrCustom = errors.New("ergo-ts custom error")

// Types lists every test type in registration order: a struct comes after the named types of
// its fields (Go's RegisterTypeOf requires it).
var Types = []any{
	MyInt(0), MyInt8(0), MyUint16(0), MyFloat32(0), MyFloat64(0), MyBool(false), MyString(""),
	MyAtoms(nil), MyStrings(nil), MyBytes(nil), MyTriple{}, MyStrIntMap(nil), MyPIDs(nil), MyPairNames(nil),
	Point{}, Empty{}, Inner{}, Complex{}, Nested{}, WithAny{}, Embedded{}, AllKinds{},
	Blob{}, Stamp{}, Chunk{},
}

// Register registers the test types and ErrCustom with net/edf (idempotent).
func Register() error {
	for _, t := range Types {
		if err := edf.RegisterTypeOf(t); err != nil && err != gen.ErrTaken {
			return fmt.Errorf("register %T: %w", t, err)
		}
	}
	if err := edf.RegisterError(ErrCustom); err != nil && err != gen.ErrTaken {
		return err
	}
	return nil
}
