package provider

import (
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// No collection in any schema of the provider (resources, data sources,
// ephemeral resources, list resources, actions) holds a sensitive attribute
// in each of its elements. Every CLI tracks such an attribute as one path
// per element, with a cost that grows faster than the collection: a plan
// over a few thousand links took minutes. A sensitive attribute on the
// collection as a whole is one path and is fine.
func TestProviderSchemas_noSensitiveAttributePerElement(t *testing.T) {
	t.Parallel()
	srv, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.GetProviderSchema(t.Context(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	schemas := map[string]*tfprotov6.Schema{}
	for kind, m := range map[string]map[string]*tfprotov6.Schema{
		"resource":           resp.ResourceSchemas,
		"data source":        resp.DataSourceSchemas,
		"ephemeral resource": resp.EphemeralResourceSchemas,
		"list resource":      resp.ListResourceSchemas,
	} {
		for name, s := range m {
			schemas[kind+" "+name] = s
		}
	}
	for name, s := range resp.ActionSchemas {
		schemas["action "+name] = s.Schema
	}
	// The walk must see the types it guards, so that an empty response
	// cannot pass.
	for _, want := range []string{"data source albato_connection_links", "resource albato_connection_link"} {
		if schemas[want] == nil {
			t.Fatalf("%s missing from the provider's schemas", want)
		}
	}
	for name, s := range schemas {
		for _, p := range sensitivePerElement(s) {
			t.Errorf("%s: %s is sensitive in every element of a collection; mark the collection as a whole "+
				"sensitive, or move the secret to a sensitive map beside it", name, p)
		}
	}
}

// The walk finds what the test guards against, at any depth, in nested
// attributes and in blocks, and lets a sensitive collection or a sensitive
// attribute of a single nested object pass.
func TestSensitivePerElement(t *testing.T) {
	t.Parallel()
	secret := &tfprotov6.SchemaAttribute{Name: "token", Sensitive: true}
	object := func(n tfprotov6.SchemaObjectNestingMode, attrs ...*tfprotov6.SchemaAttribute) *tfprotov6.SchemaObject {
		return &tfprotov6.SchemaObject{Nesting: n, Attributes: attrs}
	}
	s := &tfprotov6.Schema{Block: &tfprotov6.SchemaBlock{
		Attributes: []*tfprotov6.SchemaAttribute{
			{Name: "links", NestedType: object(tfprotov6.SchemaObjectNestingModeList, &tfprotov6.SchemaAttribute{Name: "id"}, secret)},
			{Name: "by_id", NestedType: object(tfprotov6.SchemaObjectNestingModeMap, secret)},
			{Name: "deep", NestedType: object(tfprotov6.SchemaObjectNestingModeSingle,
				&tfprotov6.SchemaAttribute{Name: "set", NestedType: object(tfprotov6.SchemaObjectNestingModeSet, secret)})},
			{Name: "whole", Sensitive: true, NestedType: object(tfprotov6.SchemaObjectNestingModeList, &tfprotov6.SchemaAttribute{Name: "id"})},
			{Name: "one", NestedType: object(tfprotov6.SchemaObjectNestingModeSingle, secret)},
		},
		BlockTypes: []*tfprotov6.SchemaNestedBlock{
			{TypeName: "item", Nesting: tfprotov6.SchemaNestedBlockNestingModeList, Block: &tfprotov6.SchemaBlock{
				Attributes: []*tfprotov6.SchemaAttribute{secret},
			}},
			{TypeName: "single", Nesting: tfprotov6.SchemaNestedBlockNestingModeSingle, Block: &tfprotov6.SchemaBlock{
				Attributes: []*tfprotov6.SchemaAttribute{secret},
			}},
		},
	}}
	got := sensitivePerElement(s)
	slices.Sort(got)
	want := []string{"by_id[*].token", "deep.set[*].token", "item[*].token", "links[*].token"}
	if !slices.Equal(got, want) {
		t.Errorf("sensitivePerElement = %q, want %q", got, want)
	}
}

// sensitivePerElement lists the paths of the sensitive attributes that sit
// inside an element of a list, set or map (nested attribute or block).
func sensitivePerElement(s *tfprotov6.Schema) []string {
	if s == nil || s.Block == nil {
		return nil
	}
	var out []string
	walkBlock(s.Block, "", false, &out)
	return out
}

func walkBlock(b *tfprotov6.SchemaBlock, prefix string, inElement bool, out *[]string) {
	for _, a := range b.Attributes {
		walkAttribute(a, prefix+a.Name, inElement, out)
	}
	for _, nb := range b.BlockTypes {
		path, in := prefix+nb.TypeName, inElement
		switch nb.Nesting {
		case tfprotov6.SchemaNestedBlockNestingModeList, tfprotov6.SchemaNestedBlockNestingModeSet,
			tfprotov6.SchemaNestedBlockNestingModeMap:
			path, in = path+"[*]", true
		}
		if nb.Block != nil {
			walkBlock(nb.Block, path+".", in, out)
		}
	}
}

func walkAttribute(a *tfprotov6.SchemaAttribute, path string, inElement bool, out *[]string) {
	if a.Sensitive {
		// A sensitive attribute hides everything below it as one value.
		if inElement {
			*out = append(*out, path)
		}
		return
	}
	if a.NestedType == nil {
		return
	}
	in := inElement
	switch a.NestedType.Nesting {
	case tfprotov6.SchemaObjectNestingModeList, tfprotov6.SchemaObjectNestingModeSet,
		tfprotov6.SchemaObjectNestingModeMap:
		path, in = path+"[*]", true
	}
	for _, na := range a.NestedType.Attributes {
		walkAttribute(na, path+"."+na.Name, in, out)
	}
}
