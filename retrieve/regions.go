package retrieve

import "github.com/reportsearch/reportsearch/query"

// regionShort maps the chunker's region of a report ("北京市", "全国") to
// the short name used for matching, or "" for reports of no province.
func regionShort(region string) string {
	for _, r := range query.Provinces {
		if region == r.Full || region == r.Short {
			return r.Short
		}
	}
	return ""
}

// regionsInText returns the provinces a query or filter names.
func regionsInText(text string) []string { return query.ProvincesIn(text) }
