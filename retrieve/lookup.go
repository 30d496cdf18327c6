package retrieve

// Source returns the absolute path the chunk with this ID was read from
// ("" for a chunk from a dataset, or an unknown ID).
func (ix *Index) Source(id string) string {
	if i, ok := ix.byID[id]; ok {
		return ix.records[i].Source
	}
	return ""
}

// IDsOf returns the IDs of file's chunks, in stored (text) order.
func (ix *Index) IDsOf(file string) []string {
	var ids []string
	for i := range ix.records {
		if ix.records[i].File == file {
			ids = append(ids, ix.records[i].ID)
		}
	}
	return ids
}
