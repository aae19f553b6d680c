// helm-template renders a Helm chart the way `helm template` does, for
// machines where Helm itself cannot be installed. It is Helm's template
// language: Go's text/template with the sprig function library (Helm's own
// function library), plus the functions and objects Helm adds (include, tpl,
// required, toYaml, fromYaml, fromYamlArray, toJson, fromJson, lookup,
// .Values, .Release, .Chart, .Capabilities, .Template, .Files), written after
// helm/helm's pkg/engine and pkg/chartutil.
//
// Values are layered like Helm's: the chart's values.yaml, then each -f file
// (maps merge key by key, anything else is replaced, null removes a key),
// then each --set-json. The result is checked against values.schema.json with
// the JSON Schema library Helm 3 uses (gojsonschema), with Helm's message.
//
// Usage:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go run scripts/helm-template/main.go \
//	  <chart> [-f values.yaml]... [--set-json path=json]... [--name r] [--namespace n] \
//	  [--kube-version v1.31.0] [--api-versions a/v1,b/v1]
//
// It prints one JSON document on stdout: {"manifests":[{"source","object"}],
// "notes"}. On an error it prints Helm's "Error: ..." line on stderr and
// exits 1.
//
// What it does not reproduce (also in charts/README.md): subcharts and
// dependencies, .helmignore, hooks, --set's own syntax (use --set-json),
// lookup against a cluster (it returns an empty map, as `helm template`
// does), .Files.Glob and .Files.AsConfig/AsSecrets, and the ordering of
// manifests by kind.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/ioutil"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/semver"
	"github.com/Masterminds/sprig"
	"github.com/xeipuuv/gojsonschema"
	"sigs.k8s.io/yaml"
)

// Metadata is Chart.yaml, with the field names templates use (.Chart.Name).
type Metadata struct {
	Name         string            `json:"name"`
	Home         string            `json:"home,omitempty"`
	Sources      []string          `json:"sources,omitempty"`
	Version      string            `json:"version"`
	Description  string            `json:"description,omitempty"`
	Keywords     []string          `json:"keywords,omitempty"`
	Icon         string            `json:"icon,omitempty"`
	APIVersion   string            `json:"apiVersion"`
	Condition    string            `json:"condition,omitempty"`
	Tags         string            `json:"tags,omitempty"`
	AppVersion   string            `json:"appVersion,omitempty"`
	Deprecated   bool              `json:"deprecated,omitempty"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	KubeVersion  string            `json:"kubeVersion,omitempty"`
	Type         string            `json:"type,omitempty"`
	Maintainers  []interface{}     `json:"maintainers,omitempty"`
	Dependencies []interface{}     `json:"dependencies,omitempty"`
}

// KubeVersion is .Capabilities.KubeVersion.
type KubeVersion struct {
	Version    string
	Major      string
	Minor      string
	GitVersion string
}

func (kv *KubeVersion) String() string { return kv.Version }

// VersionSet is .Capabilities.APIVersions.
type VersionSet []string

// Has says whether an API version (or group/version/Kind) is available.
func (v VersionSet) Has(apiVersion string) bool {
	for _, x := range v {
		if x == apiVersion {
			return true
		}
	}
	return false
}

// Capabilities is .Capabilities.
type Capabilities struct {
	KubeVersion KubeVersion
	APIVersions VersionSet
	HelmVersion map[string]string
}

// Files is .Files: the chart's files outside templates/.
type Files map[string][]byte

// Get returns a file's content as a string ("" when absent).
func (f Files) Get(name string) string { return string(f[name]) }

// GetBytes returns a file's content as bytes.
func (f Files) GetBytes(name string) []byte { return f[name] }

// The API versions a 1.31 cluster serves that charts commonly ask about.
var defaultAPIVersions = []string{
	"v1", "apps/v1", "batch/v1", "autoscaling/v1", "autoscaling/v2",
	"policy/v1", "networking.k8s.io/v1", "rbac.authorization.k8s.io/v1",
	"apiextensions.k8s.io/v1", "admissionregistration.k8s.io/v1",
	"storage.k8s.io/v1", "coordination.k8s.io/v1", "discovery.k8s.io/v1",
}

type options struct {
	chart       string
	valueFiles  []string
	setJSON     []string
	name        string
	namespace   string
	kubeVersion string
	apiVersions []string
}

func parseArgs(args []string) (options, error) {
	o := options{name: "release-name", namespace: "default", kubeVersion: "v1.31.0"}
	next := func(i *int, flag string) (string, error) {
		if *i+1 >= len(args) {
			return "", fmt.Errorf("flag needs an argument: %s", flag)
		}
		*i++
		return args[*i], nil
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		var err error
		var v string
		switch a {
		case "-f", "--values":
			v, err = next(&i, a)
			o.valueFiles = append(o.valueFiles, v)
		case "--set-json":
			v, err = next(&i, a)
			o.setJSON = append(o.setJSON, v)
		case "--name":
			o.name, err = next(&i, a)
		case "-n", "--namespace":
			o.namespace, err = next(&i, a)
		case "--kube-version":
			o.kubeVersion, err = next(&i, a)
		case "--api-versions":
			v, err = next(&i, a)
			o.apiVersions = append(o.apiVersions, strings.Split(v, ",")...)
		default:
			if strings.HasPrefix(a, "-") || o.chart != "" {
				return o, fmt.Errorf("unknown argument %q", a)
			}
			o.chart = a
		}
		if err != nil {
			return o, err
		}
	}
	if o.chart == "" {
		return o, errors.New("a chart folder is required")
	}
	return o, nil
}

// readValues parses a values file as Helm does (YAML through JSON).
func readValues(data []byte) (map[string]interface{}, error) {
	vals := map[string]interface{}{}
	if err := yaml.Unmarshal(data, &vals); err != nil {
		return nil, err
	}
	if vals == nil {
		vals = map[string]interface{}{}
	}
	return vals, nil
}

// mergeMaps layers b over a, as Helm merges -f files.
func mergeMaps(a, b map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if vm, ok := v.(map[string]interface{}); ok {
			if bv, ok := out[k]; ok {
				if bvm, ok := bv.(map[string]interface{}); ok {
					out[k] = mergeMaps(bvm, vm)
					continue
				}
			}
		}
		out[k] = v
	}
	return out
}

// coalesce fills the user's values with the chart's defaults. A user's null
// removes the key, as in Helm's chartutil.CoalesceValues.
func coalesce(user, defaults map[string]interface{}) map[string]interface{} {
	for k, dv := range defaults {
		uv, present := user[k]
		if !present {
			user[k] = dv
			continue
		}
		if uv == nil {
			delete(user, k)
			continue
		}
		um, uok := uv.(map[string]interface{})
		dm, dok := dv.(map[string]interface{})
		if uok && dok {
			user[k] = coalesce(um, dm)
		}
	}
	for k, v := range user {
		if v == nil {
			delete(user, k)
		}
	}
	return user
}

// setJSONValue applies one --set-json path=json.
func setJSONValue(vals map[string]interface{}, expr string) error {
	eq := strings.Index(expr, "=")
	if eq <= 0 {
		return fmt.Errorf("failed parsing --set-json data %s", expr)
	}
	var v interface{}
	if err := json.Unmarshal([]byte(expr[eq+1:]), &v); err != nil {
		return fmt.Errorf("failed parsing --set-json data %s: %v", expr, err)
	}
	keys := strings.Split(expr[:eq], ".")
	cur := vals
	for _, k := range keys[:len(keys)-1] {
		next, ok := cur[k].(map[string]interface{})
		if !ok {
			next = map[string]interface{}{}
			cur[k] = next
		}
		cur = next
	}
	cur[keys[len(keys)-1]] = v
	return nil
}

// validateSchema is Helm 3's chartutil.ValidateAgainstSingleSchema.
func validateSchema(values map[string]interface{}, schema []byte) error {
	valuesJSON, err := json.Marshal(values)
	if err != nil {
		return err
	}
	result, err := gojsonschema.Validate(
		gojsonschema.NewBytesLoader(schema),
		gojsonschema.NewBytesLoader(valuesJSON),
	)
	if err != nil {
		return err
	}
	if result.Valid() {
		return nil
	}
	var sb strings.Builder
	for _, desc := range result.Errors() {
		sb.WriteString(fmt.Sprintf("- %s\n", desc))
	}
	return errors.New(sb.String())
}

func toYAML(v interface{}) string {
	data, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

func fromYAML(str string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(str), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromYAMLArray(str string) []interface{} {
	a := []interface{}{}
	if err := yaml.Unmarshal([]byte(str), &a); err != nil {
		a = []interface{}{err.Error()}
	}
	return a
}

func toJSON(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(data)
}

func fromJSON(str string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := json.Unmarshal([]byte(str), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

// engine holds one chart's parsed templates.
type engine struct {
	t        *template.Template
	included map[string]int
}

const recursionMaxNums = 1000

func (e *engine) funcMap() template.FuncMap {
	f := sprig.TxtFuncMap()
	delete(f, "env")
	delete(f, "expandenv")
	extra := template.FuncMap{
		"toYaml":        toYAML,
		"fromYaml":      fromYAML,
		"fromYamlArray": fromYAMLArray,
		"toJson":        toJSON,
		"fromJson":      fromJSON,
		"include": func(name string, data interface{}) (string, error) {
			if e.included[name] > recursionMaxNums {
				return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
			}
			e.included[name]++
			defer func() { e.included[name]-- }()
			var buf strings.Builder
			err := e.t.ExecuteTemplate(&buf, name, data)
			return buf.String(), err
		},
		"tpl": func(tpl string, vals interface{}) (string, error) {
			clone, err := e.t.Clone()
			if err != nil {
				return "", err
			}
			name := "tpl"
			if m, ok := vals.(map[string]interface{}); ok {
				if tm, ok := m["Template"].(map[string]interface{}); ok {
					if n, ok := tm["Name"].(string); ok {
						name = n
					}
				}
			}
			t, err := clone.New(name).Option("missingkey=zero").Parse(tpl)
			if err != nil {
				return "", fmt.Errorf("cannot parse template %q: %v", tpl, err)
			}
			var buf strings.Builder
			if err := t.Execute(&buf, vals); err != nil {
				return "", fmt.Errorf("error during tpl function execution for %q: %v", tpl, err)
			}
			return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
		},
		"required": func(warn string, val interface{}) (interface{}, error) {
			if val == nil {
				return val, errors.New(warn)
			}
			if s, ok := val.(string); ok && s == "" {
				return val, errors.New(warn)
			}
			return val, nil
		},
		"lookup": func(apiversion, resource, namespace, name string) (map[string]interface{}, error) {
			return map[string]interface{}{}, nil
		},
	}
	for k, v := range extra {
		f[k] = v
	}
	return f
}

var execErrorRe = regexp.MustCompile(`^template: (.*?:\d+:\d+): executing .*? at <.*?>: error calling (?:required|fail): ([\s\S]*)$`)
var callErrorRe = regexp.MustCompile(`^template: (.*?:\d+:\d+): ([\s\S]*)$`)

// cleanupExecError gives a template error Helm's shape:
// "execution error at (<file>:<line>:<col>): <message>".
func cleanupExecError(err error) error {
	var execErr template.ExecError
	if !errors.As(err, &execErr) {
		return err
	}
	if m := execErrorRe.FindStringSubmatch(err.Error()); m != nil {
		return fmt.Errorf("execution error at (%s): %s", m[1], m[2])
	}
	if m := callErrorRe.FindStringSubmatch(err.Error()); m != nil {
		return fmt.Errorf("template: %s: %s", m[1], m[2])
	}
	return err
}

var manifestSep = regexp.MustCompile(`(?:^|\s*\n)---\s*`)

type manifest struct {
	Source string                 `json:"source"`
	Object map[string]interface{} `json:"object"`
}

type output struct {
	Manifests []manifest `json:"manifests"`
	Notes     string     `json:"notes"`
}

func render(o options) (*output, error) {
	chartDir := filepath.Clean(o.chart)
	chartYAML, err := ioutil.ReadFile(filepath.Join(chartDir, "Chart.yaml"))
	if err != nil {
		return nil, fmt.Errorf("Chart.yaml file is missing")
	}
	var meta Metadata
	if err := yaml.Unmarshal(chartYAML, &meta); err != nil {
		return nil, fmt.Errorf("cannot load Chart.yaml: %v", err)
	}
	if meta.APIVersion != "v2" {
		return nil, fmt.Errorf("validation: chart.metadata.apiVersion is %q, this renderer reads v2 charts only", meta.APIVersion)
	}
	if meta.Name == "" {
		return nil, errors.New("validation: chart.metadata.name is required")
	}
	if meta.Version == "" {
		return nil, errors.New("validation: chart.metadata.version is required")
	}
	if _, err := semver.NewVersion(meta.Version); err != nil {
		return nil, fmt.Errorf("validation: chart.metadata.version %q is invalid", meta.Version)
	}

	kv, err := semver.NewVersion(o.kubeVersion)
	if err != nil {
		return nil, fmt.Errorf("invalid kube version %q: %v", o.kubeVersion, err)
	}
	if meta.KubeVersion != "" {
		c, err := semver.NewConstraint(meta.KubeVersion)
		if err != nil {
			return nil, fmt.Errorf("invalid kubeVersion %q in Chart.yaml: %v", meta.KubeVersion, err)
		}
		if !c.Check(kv) {
			return nil, fmt.Errorf("chart requires kubeVersion: %s which is incompatible with Kubernetes %s", meta.KubeVersion, o.kubeVersion)
		}
	}

	// Values: the chart's defaults under the user's files and --set-json.
	defaultsData, err := ioutil.ReadFile(filepath.Join(chartDir, "values.yaml"))
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	defaults, err := readValues(defaultsData)
	if err != nil {
		return nil, fmt.Errorf("cannot load values.yaml: %v", err)
	}
	user := map[string]interface{}{}
	for _, f := range o.valueFiles {
		data, err := ioutil.ReadFile(f)
		if err != nil {
			return nil, err
		}
		vals, err := readValues(data)
		if err != nil {
			return nil, fmt.Errorf("failed to parse %s: %v", f, err)
		}
		user = mergeMaps(user, vals)
	}
	for _, s := range o.setJSON {
		if err := setJSONValue(user, s); err != nil {
			return nil, err
		}
	}
	values := coalesce(user, defaults)

	if schema, err := ioutil.ReadFile(filepath.Join(chartDir, "values.schema.json")); err == nil {
		if err := validateSchema(values, schema); err != nil {
			return nil, fmt.Errorf("values don't meet the specifications of the schema(s) in the following chart(s):\n%s:\n%s", meta.Name, err.Error())
		}
	}

	// Files outside templates/, for .Files.Get.
	files := Files{}
	templates := map[string]string{}
	err = filepath.Walk(chartDir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(chartDir, p)
		rel = filepath.ToSlash(rel)
		data, err := ioutil.ReadFile(p)
		if err != nil {
			return err
		}
		switch {
		case strings.HasPrefix(rel, "templates/"):
			templates[path.Join(meta.Name, rel)] = string(data)
		case rel == "Chart.yaml" || rel == "values.yaml" || rel == "values.schema.json" || strings.HasPrefix(rel, "charts/"):
		default:
			files[rel] = data
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	apiVersions := append(VersionSet{}, defaultAPIVersions...)
	apiVersions = append(apiVersions, o.apiVersions...)
	top := map[string]interface{}{
		"Values": values,
		"Release": map[string]interface{}{
			"Name":      o.name,
			"Namespace": o.namespace,
			"IsUpgrade": false,
			"IsInstall": true,
			"Revision":  1,
			"Service":   "Helm",
		},
		"Chart": &meta,
		"Capabilities": &Capabilities{
			KubeVersion: KubeVersion{
				Version:    "v" + kv.String(),
				Major:      fmt.Sprint(kv.Major()),
				Minor:      fmt.Sprint(kv.Minor()),
				GitVersion: "v" + kv.String(),
			},
			APIVersions: apiVersions,
			HelmVersion: map[string]string{"Version": "v3.16.0"},
		},
		"Files": files,
	}

	names := make([]string, 0, len(templates))
	for n := range templates {
		names = append(names, n)
	}
	sort.Strings(names)

	e := &engine{included: map[string]int{}}
	e.t = template.New("gotpl").Option("missingkey=zero")
	e.t.Funcs(e.funcMap())
	for _, n := range names {
		if _, err := e.t.New(n).Parse(templates[n]); err != nil {
			return nil, fmt.Errorf("parse error at (%s): %s", n, strings.TrimPrefix(err.Error(), "template: "+n+":"))
		}
	}

	out := &output{Manifests: []manifest{}}
	for _, n := range names {
		base := path.Base(n)
		if strings.HasPrefix(base, "_") {
			continue
		}
		data := map[string]interface{}{}
		for k, v := range top {
			data[k] = v
		}
		data["Template"] = map[string]interface{}{
			"Name":     n,
			"BasePath": path.Join(meta.Name, "templates"),
		}
		var buf bytes.Buffer
		if err := e.t.ExecuteTemplate(&buf, n, data); err != nil {
			return nil, cleanupExecError(err)
		}
		rendered := strings.ReplaceAll(buf.String(), "<no value>", "")
		if base == "NOTES.txt" {
			out.Notes = rendered
			continue
		}
		if !strings.HasSuffix(base, ".yaml") && !strings.HasSuffix(base, ".yml") {
			continue
		}
		for _, doc := range manifestSep.Split(rendered, -1) {
			if strings.TrimSpace(doc) == "" {
				continue
			}
			var obj map[string]interface{}
			if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
				return nil, fmt.Errorf("YAML parse error on %s: %v", n, err)
			}
			if obj == nil {
				continue
			}
			out.Manifests = append(out.Manifests, manifest{Source: n, Object: obj})
		}
	}
	return out, nil
}

func main() {
	o, err := parseArgs(os.Args[1:])
	if err == nil {
		var out *output
		out, err = render(o)
		if err == nil {
			enc := json.NewEncoder(os.Stdout)
			enc.SetIndent("", "  ")
			if err = enc.Encode(out); err == nil {
				return
			}
		}
	}
	fmt.Fprintf(os.Stderr, "Error: %s\n", strings.TrimRight(err.Error(), "\n"))
	os.Exit(1)
}
