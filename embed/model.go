package embed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ollama/ollama/api"
	"github.com/reportsearch/reportsearch/progress"
)

// modelFileExts are the files Ollama's converter reads from a Hugging Face
// folder: configs, weights, tokenizers. Everything else (READMEs, licences,
// images, ONNX/OpenVINO exports) is left behind.
var modelFileExts = []string{".json", ".safetensors", ".txt", ".model", ".gguf", ".tiktoken"}

// skippedDirs hold alternative exports Ollama cannot use.
var skippedDirs = []string{"onnx", "openvino", "coreml", "tflite"}

// ModelFiles lists the files of a Hugging Face / sentence-transformers
// folder that ImportModel uploads, as slash-separated paths relative to dir,
// sorted. PyTorch .bin weights are included only when there are no
// safetensors.
func ModelFiles(dir string) ([]string, error) {
	var files, bins []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != dir && (strings.HasPrefix(name, ".") || slices.Contains(skippedDirs, strings.ToLower(name))) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || strings.HasPrefix(name, ".") {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		ext := strings.ToLower(filepath.Ext(name))
		switch {
		case ext == ".bin" && !strings.HasPrefix(name, "training_args"):
			bins = append(bins, rel)
		case slices.Contains(modelFileExts, ext):
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("model folder %s: %w", dir, err)
	}
	hasWeights := slices.ContainsFunc(files, func(f string) bool {
		return strings.HasSuffix(f, ".safetensors") || strings.HasSuffix(f, ".gguf")
	})
	if !hasWeights {
		if len(bins) == 0 {
			return nil, fmt.Errorf("model folder %s: no weights (*.safetensors, *.gguf or pytorch *.bin)", dir)
		}
		files = append(files, bins...)
	}
	if !slices.Contains(files, "config.json") && !slices.ContainsFunc(files, func(f string) bool { return strings.HasSuffix(f, ".gguf") }) {
		return nil, fmt.Errorf("model folder %s: no config.json", dir)
	}
	slices.Sort(files)
	return files, nil
}

// ImportModel creates model name on the server from a local Hugging Face /
// sentence-transformers folder. Each file is uploaded as a blob and the model
// created with files keyed by their path relative to dir, so that
// 1_Pooling/config.json does not overwrite config.json (which `ollama create`
// does, see PITFALLS.md). Progress is drawn on out when it is a terminal.
func ImportModel(ctx context.Context, client *api.Client, dir, name string, out io.Writer) error {
	files, err := ModelFiles(dir)
	if err != nil {
		return err
	}
	var total int64
	for _, f := range files {
		st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f)))
		if err != nil {
			return err
		}
		total += st.Size()
	}
	bar := progress.NewBytes(total, "uploading "+filepath.Base(dir), out)
	digests := make(map[string]string, len(files))
	for _, f := range files {
		d, err := uploadBlob(ctx, client, filepath.Join(dir, filepath.FromSlash(f)), bar)
		if err != nil {
			bar.Finish()
			return fmt.Errorf("import %s: uploading %s: %w", dir, f, ServerError(err))
		}
		digests[f] = d
	}
	bar.Finish()
	spin := progress.New(-1, "creating "+name, out)
	defer spin.Finish()
	err = client.Create(ctx, &api.CreateRequest{Model: name, Files: digests}, func(p api.ProgressResponse) error {
		spin.Describe("creating " + name + ": " + p.Status)
		spin.Add(1)
		return nil
	})
	if err != nil {
		return fmt.Errorf("import %s as %s: %w", dir, name, ServerError(err))
	}
	return nil
}

// uploadBlob hashes the file, then streams it to the server's blob store.
func uploadBlob(ctx context.Context, client *api.Client, path string, bar *progress.Bar) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	digest := "sha256:" + hex.EncodeToString(h.Sum(nil))
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	return digest, client.CreateBlob(ctx, digest, &countingReader{r: f, bar: bar})
}

type countingReader struct {
	r   io.Reader
	bar *progress.Bar
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.bar.Add(int64(n))
	return n, err
}

// PullModel downloads model name from the registry the server is configured
// with, drawing one bar per layer on out when it is a terminal.
func PullModel(ctx context.Context, client *api.Client, name string, out io.Writer) error {
	var bar *progress.Bar
	var layer string
	err := client.Pull(ctx, &api.PullRequest{Model: name}, func(p api.ProgressResponse) error {
		if p.Digest == "" || p.Total == 0 {
			return nil
		}
		if p.Digest != layer {
			bar.Finish()
			short := strings.TrimPrefix(p.Digest, "sha256:")
			bar = progress.NewBytes(p.Total, "pulling "+short[:min(12, len(short))], out)
			layer = p.Digest
		}
		bar.Set(p.Completed)
		return nil
	})
	bar.Finish()
	if err != nil {
		return fmt.Errorf("pull %s: %w", name, ServerError(err))
	}
	return nil
}

// ListModels returns the models installed on the Ollama server at host,
// failing within 15 seconds (wrapping ErrUnreachable) when it does not answer.
func ListModels(ctx context.Context, host string) ([]api.ListModelResponse, error) {
	base, err := ParseHost(host)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	list, err := newAPIClient(base, 1).List(ctx)
	if err != nil {
		return nil, explain(base, "", err)
	}
	return list.Models, nil
}

// pickOrder ranks embedding models for PickModel, best for Chinese
// retrieval first. Patterns are path.Match globs over BareModelName.
var pickOrder = []string{"bge-m3*", "qwen3-embedding*", "multilingual-e5*", "bge-*zh*", "*embed*"}

// bertFamilies are model families (Show/List details) that only ever serve
// as encoders; a generative model is never picked.
var bertFamilies = []string{"bert", "nomic-bert", "jina-bert-v2", "xlm-roberta", "new"}

// PickModel chooses the embedding model to use among installed ones: the
// first match in pickOrder, else any BERT-family model; "" when there is no
// embedding model. Among equals the alphabetically first name wins, so the
// choice is repeatable.
func PickModel(installed []api.ListModelResponse) string {
	names := make([]string, 0, len(installed))
	family := map[string]string{}
	for _, m := range installed {
		names = append(names, m.Name)
		family[m.Name] = strings.ToLower(m.Details.Family)
	}
	slices.Sort(names)
	for _, pat := range pickOrder {
		for _, n := range names {
			if ok, _ := path.Match(pat, BareModelName(n)); ok {
				return n
			}
		}
	}
	for _, n := range names {
		if slices.Contains(bertFamilies, family[n]) {
			return n
		}
	}
	return ""
}
