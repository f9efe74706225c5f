package search

import (
	"reflect"
	"testing"
)

func TestExpandSynonyms(t *testing.T) {
	syn := map[string]string{"stake": "staking", "质押": "staking", "pos": "proof-of-stake", "面试题": "面试"}
	cases := []struct {
		q       string
		also    []string
		tagAlso map[string]string
	}{
		{"how to stake", []string{"staking"}, nil},
		{"Stake, STAKE", []string{"staking"}, nil},
		{"质押收益怎么算", []string{"staking"}, nil},
		{"質押收益怎麼算", []string{"staking"}, nil},
		{"面試題", []string{"面试"}, nil},
		{"pos vs stake", []string{"proof-of-stake", "staking"}, nil},
		{"staking", nil, nil},
		{"mistake", nil, nil},
		{"\"stake\" -stake", nil, nil},
		{"tag:stake 面试题", []string{"面试"}, map[string]string{"stake": "staking"}},
	}
	for _, c := range cases {
		p, err := ParseQuery(c.q)
		if err != nil {
			t.Fatal(err)
		}
		p.expandSynonyms(syn)
		if !reflect.DeepEqual(p.Also, c.also) || !reflect.DeepEqual(p.TagAlso, c.tagAlso) {
			t.Errorf("%q: also %v, tag also %v; want %v, %v", c.q, p.Also, p.TagAlso, c.also, c.tagAlso)
		}
	}
	p, _ := ParseQuery("stake")
	p.expandSynonyms(nil)
	if p.Also != nil {
		t.Errorf("no synonyms: also %v", p.Also)
	}
}
