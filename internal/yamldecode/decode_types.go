package yamldecode

import (
	"reflect"
	"strings"
	"sync"

	"github.com/vmhealth/vmhealth/internal/kubevirtkinds"
	"github.com/vmhealth/vmhealth/internal/yamlpos"
)

// structInfo lists a struct type's JSON field names, embedded structs
// flattened the way encoding/json flattens them.
type structInfo struct {
	fields map[string]*fieldInfo
	names  []string
}

type fieldInfo struct {
	index []int
	depth int
	// preserveUnknown marks fields whose CRD schema keeps unknown fields, so
	// the API server accepts them.
	preserveUnknown bool
	ti              *typeInfo
}

// plan says how values of a type are decoded.
type plan uint8

const (
	planOther plan = iota
	planPointer
	planIntOrString
	planQuantity
	planTime
	planDuration
	planRaw
	planSelf // the type's own UnmarshalJSON
	planStruct
	planMap
	planSlice
	planInterface
	planString
	planBool
	planInt
	planUint
	planFloat
)

// specialPlans are the types decoded from scalars their own way.
var specialPlans = map[reflect.Type]plan{
	tIntOrString:  planIntOrString,
	tQuantity:     planQuantity,
	tTime:         planTime,
	tDuration:     planDuration,
	tRawExtension: planRaw,
}

// typeInfo is what the decoder needs to know about a Go type, worked out
// once per type: how to decode it, its element's typeInfo (pointers, slices,
// maps) and its fields (structs).
type typeInfo struct {
	t    reflect.Type
	plan plan
	elem *typeInfo
	st   *structInfo
}

var (
	typeInfos sync.Map   // reflect.Type -> *typeInfo, complete ones only
	typeMu    sync.Mutex // serialises building, so nobody sees a half-built one
)

func typeInfoOf(t reflect.Type) *typeInfo {
	if ti, ok := typeInfos.Load(t); ok {
		return ti.(*typeInfo)
	}
	typeMu.Lock()
	defer typeMu.Unlock()
	pending := map[reflect.Type]*typeInfo{}
	ti := buildTypeInfo(t, pending)
	for pt, pti := range pending {
		typeInfos.Store(pt, pti)
	}
	return ti
}

// buildTypeInfo builds t's info and those of the types it contains;
// pending holds the ones under construction, which ends recursive types.
func buildTypeInfo(t reflect.Type, pending map[reflect.Type]*typeInfo) *typeInfo {
	if ti, ok := typeInfos.Load(t); ok {
		return ti.(*typeInfo)
	}
	if ti, ok := pending[t]; ok {
		return ti
	}
	ti := &typeInfo{t: t}
	pending[t] = ti
	switch {
	case t.Kind() == reflect.Pointer:
		ti.plan, ti.elem = planPointer, buildTypeInfo(t.Elem(), pending)
		return ti
	case specialPlans[t] != planOther:
		ti.plan = specialPlans[t]
		return ti
	case reflect.PointerTo(t).Implements(tUnmarshaler) && !kubevirtkinds.WalkDespiteUnmarshaler(t):
		ti.plan = planSelf
		return ti
	}
	switch t.Kind() {
	case reflect.Struct:
		ti.plan, ti.st = planStruct, buildStructInfo(t, pending)
	case reflect.Map:
		ti.plan, ti.elem = planMap, buildTypeInfo(t.Elem(), pending)
	case reflect.Slice:
		ti.plan, ti.elem = planSlice, buildTypeInfo(t.Elem(), pending)
	case reflect.Interface:
		ti.plan = planInterface
	case reflect.String:
		ti.plan = planString
	case reflect.Bool:
		ti.plan = planBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		ti.plan = planInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		ti.plan = planUint
	case reflect.Float32, reflect.Float64:
		ti.plan = planFloat
	}
	return ti
}

// TypeAt returns the Go type of the field at path (as field.Path prints
// it) inside a value of type t, pointers, slices and maps followed; nil
// when the path leaves the typed fields, or crosses one whose schema keeps
// unknown fields.
func TypeAt(t reflect.Type, path string) reflect.Type {
	if ti := typeInfoAt(t, path); ti != nil {
		return ti.t
	}
	return nil
}

// FieldNames returns the field names of the struct at path inside a value
// of type t, as TypeAt finds it; false when there is no struct there.
func FieldNames(t reflect.Type, path string) ([]string, bool) {
	ti := typeInfoAt(t, path)
	if ti == nil || ti.st == nil {
		return nil, false
	}
	return ti.st.names, true
}

func typeInfoAt(t reflect.Type, path string) *typeInfo {
	ti := typeInfoOf(t)
	for _, seg := range yamlpos.SplitPath(path) {
		for ti != nil && ti.st == nil && ti.elem != nil && !seg.IsIdx {
			ti = ti.elem
		}
		if ti == nil {
			return nil
		}
		if seg.IsIdx {
			ti = ti.elem
			continue
		}
		if ti.st == nil {
			return nil
		}
		f := ti.st.fields[seg.Name]
		if f == nil || f.preserveUnknown {
			return nil
		}
		ti = f.ti
	}
	for ti != nil && ti.st == nil && ti.elem != nil && ti.t.Kind() == reflect.Pointer {
		ti = ti.elem
	}
	return ti
}

func buildStructInfo(t reflect.Type, pending map[reflect.Type]*typeInfo) *structInfo {
	si := &structInfo{fields: map[string]*fieldInfo{}}
	collectFields(t, nil, si)
	for _, name := range kubevirtkinds.PreserveUnknownFields(t) {
		if f := si.fields[name]; f != nil {
			f.preserveUnknown = true
		}
	}
	for name, f := range si.fields {
		si.names = append(si.names, name)
		f.ti = buildTypeInfo(t.FieldByIndex(f.index).Type, pending)
	}
	return si
}

func collectFields(t reflect.Type, index []int, si *structInfo) {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag, ok := sf.Tag.Lookup("json")
		if !ok {
			// Types written for YAML files (.vmhealth.yaml) name their
			// fields in yaml tags.
			tag = sf.Tag.Get("yaml")
		}
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		idx := append(append([]int(nil), index...), i)
		if sf.Anonymous && name == "" {
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				collectFields(ft, idx, si)
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		if prev, ok := si.fields[name]; ok && prev.depth <= len(index) {
			continue // a shallower field of that name wins, as in encoding/json
		}
		si.fields[name] = &fieldInfo{index: idx, depth: len(index)}
	}
}
