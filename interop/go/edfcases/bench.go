package edfcases

import "fmt"

// The benchmark values (bench/edf.ts builds the same ones in TypeScript).

// BenchString is the "string" case.
const BenchString = "Ergo Framework"

// BenchMap is the "map" case: map[string]int with 10 keys.
func BenchMap() map[string]int {
	m := make(map[string]int, 10)
	for i := 0; i < 10; i++ {
		m[fmt.Sprintf("key-%d", i)] = i * 1000
	}
	return m
}

// BenchComplex is the "complex" case for i = 0.
func BenchComplex(i int) Complex {
	return Complex{
		Name:        fmt.Sprintf("complex-%d", i),
		Description: "a registered struct for the EDF benchmark",
		ID:          123456789 + i,
		Count:       int32(42 + i),
		Score:       98.6,
		Active:      true,
		Values:      []int{1, 2, 3, 4, 5},
		Inner:       Inner{Name: "inner", ID: 7},
	}
}

// BenchNested is the "nested" case: 10 complex values.
func BenchNested() Nested {
	items := make([]Complex, 10)
	for i := range items {
		items[i] = BenchComplex(i)
	}
	return Nested{Name: "nested", Items: items}
}
