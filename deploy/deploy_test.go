// Package deploy holds crmlens's deployment files (Dockerfile, compose,
// Kubernetes, nginx, systemd). Its tests check what can be checked without
// a Docker engine or a cluster: the Kubernetes objects against the API
// types of k8s.io/api (a strict decode: an unknown or misspelt field
// fails), their wiring (probes, ports, selectors, autoscaling), that every
// CRMLENS_* variable they set exists and that the values pass crmlens's own
// validation, the Dockerfile's stages, user and static build, and that the
// binary really is statically linked.
package deploy

import (
	"bufio"
	"bytes"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/crmlens/crmlens/internal/config"
	"github.com/crmlens/crmlens/internal/server"
)

// configVars are the variables crmlens reads (internal/config's env tags).
func configVars(t *testing.T) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	typ := reflect.TypeFor[config.Config]()
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("env"), ",")
		if name != "" {
			out[name] = true
		}
	}
	if len(out) < 10 {
		t.Fatalf("only %d variables found in config.Config", len(out))
	}
	return out
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// manifests is the decoded contents of kubernetes/.
type manifests struct {
	deployment *appsv1.Deployment
	service    *corev1.Service
	hpa        *autoscalingv2.HorizontalPodAutoscaler
	configMap  *corev1.ConfigMap
	secret     *corev1.Secret
	job        *batchv1.Job
	pdb        *policyv1.PodDisruptionBudget
}

// decodeManifests strictly decodes every document of every YAML file in
// kubernetes/ (kustomization.yaml aside) into its k8s.io/api type.
func decodeManifests(t *testing.T) (manifests, []string) {
	t.Helper()
	var m manifests
	files, err := filepath.Glob("kubernetes/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	var names []string
	for _, f := range files {
		if filepath.Base(f) == "kustomization.yaml" {
			continue
		}
		names = append(names, filepath.Base(f))
		for i, doc := range bytes.Split(read(t, f), []byte("\n---")) {
			if len(bytes.TrimSpace(doc)) == 0 {
				continue
			}
			var tm metav1.TypeMeta
			if err := yaml.Unmarshal(doc, &tm); err != nil {
				t.Fatalf("%s document %d: %v", f, i+1, err)
			}
			var obj any
			switch tm.APIVersion + " " + tm.Kind {
			case "apps/v1 Deployment":
				m.deployment = &appsv1.Deployment{}
				obj = m.deployment
			case "v1 Service":
				m.service = &corev1.Service{}
				obj = m.service
			case "autoscaling/v2 HorizontalPodAutoscaler":
				m.hpa = &autoscalingv2.HorizontalPodAutoscaler{}
				obj = m.hpa
			case "v1 ConfigMap":
				m.configMap = &corev1.ConfigMap{}
				obj = m.configMap
			case "v1 Secret":
				m.secret = &corev1.Secret{}
				obj = m.secret
			case "batch/v1 Job":
				m.job = &batchv1.Job{}
				obj = m.job
			case "policy/v1 PodDisruptionBudget":
				m.pdb = &policyv1.PodDisruptionBudget{}
				obj = m.pdb
			default:
				t.Fatalf("%s: unexpected object %s %s", f, tm.APIVersion, tm.Kind)
			}
			if err := yaml.UnmarshalStrict(doc, obj); err != nil {
				t.Errorf("%s: not a valid %s: %v", f, tm.Kind, err)
			}
		}
	}
	for name, got := range map[string]bool{"Deployment": m.deployment != nil, "Service": m.service != nil,
		"HorizontalPodAutoscaler": m.hpa != nil, "ConfigMap": m.configMap != nil, "Secret": m.secret != nil,
		"Job": m.job != nil, "PodDisruptionBudget": m.pdb != nil} {
		if !got {
			t.Errorf("no %s in kubernetes/", name)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	return m, names
}

// selects reports whether selector matches every label it names in labels.
func selects(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func TestKubernetesManifests(t *testing.T) {
	m, files := decodeManifests(t)
	vars := configVars(t)

	t.Run("kustomization lists every manifest", func(t *testing.T) {
		var k struct {
			APIVersion string           `json:"apiVersion"`
			Kind       string           `json:"kind"`
			Labels     []map[string]any `json:"labels"`
			Resources  []string         `json:"resources"`
		}
		if err := yaml.UnmarshalStrict(read(t, "kubernetes/kustomization.yaml"), &k); err != nil {
			t.Fatal(err)
		}
		if k.Kind != "Kustomization" || k.APIVersion != "kustomize.config.k8s.io/v1beta1" {
			t.Errorf("kustomization: %s %s", k.APIVersion, k.Kind)
		}
		slices.Sort(files)
		slices.Sort(k.Resources)
		if !slices.Equal(files, k.Resources) {
			t.Errorf("kustomization resources %v, files %v", k.Resources, files)
		}
	})

	d := m.deployment
	podLabels := d.Spec.Template.Labels
	var c *corev1.Container
	for i := range d.Spec.Template.Spec.Containers {
		if d.Spec.Template.Spec.Containers[i].Name == "crmlens" {
			c = &d.Spec.Template.Spec.Containers[i]
		}
	}
	if c == nil {
		t.Fatal("the Deployment has no container named crmlens")
	}

	t.Run("deployment", func(t *testing.T) {
		if d.Spec.Selector == nil || !selects(d.Spec.Selector.MatchLabels, podLabels) {
			t.Errorf("the selector %v does not match the pod labels %v", d.Spec.Selector, podLabels)
		}
		if strings.Join(c.Args, " ") != "serve" {
			t.Errorf("args = %v, want [serve]", c.Args)
		}
		var httpPort int32
		for _, p := range c.Ports {
			if p.Name == "http" {
				httpPort = p.ContainerPort
			}
		}
		if want := m.configMap.Data["CRMLENS_ADDR"]; want != ":"+strconv.Itoa(int(httpPort)) {
			t.Errorf("container port http = %d, CRMLENS_ADDR = %q", httpPort, want)
		}
		probes := []struct {
			name  string
			probe *corev1.Probe
			path  string
		}{{"readiness", c.ReadinessProbe, "/readyz"}, {"liveness", c.LivenessProbe, "/healthz"}}
		for _, p := range probes {
			if p.probe == nil || p.probe.HTTPGet == nil {
				t.Errorf("no %s HTTP probe", p.name)
				continue
			}
			if p.probe.HTTPGet.Path != p.path || p.probe.HTTPGet.Port.String() != "http" {
				t.Errorf("%s probe: %s on port %s, want %s on http", p.name, p.probe.HTTPGet.Path, p.probe.HTTPGet.Port.String(), p.path)
			}
		}
		pod := d.Spec.Template.Spec.SecurityContext
		if pod == nil || pod.RunAsNonRoot == nil || !*pod.RunAsNonRoot || pod.RunAsUser == nil || *pod.RunAsUser == 0 {
			t.Error("the pod must run as a non-root user")
		}
		sc := c.SecurityContext
		if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
			sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			t.Error("the container must have a read-only root and no privilege escalation")
		}
		var refs []string
		for _, ef := range c.EnvFrom {
			switch {
			case ef.ConfigMapRef != nil:
				refs = append(refs, "configmap/"+ef.ConfigMapRef.Name)
			case ef.SecretRef != nil:
				refs = append(refs, "secret/"+ef.SecretRef.Name)
			}
		}
		for _, want := range []string{"configmap/" + m.configMap.Name, "secret/" + m.secret.Name} {
			if !slices.Contains(refs, want) {
				t.Errorf("the container does not load %s", want)
			}
		}
		for _, e := range c.Env {
			if !vars[e.Name] {
				t.Errorf("env %s is not a crmlens variable", e.Name)
			}
		}
		shutdown, err := time.ParseDuration(m.configMap.Data["CRMLENS_SHUTDOWN_TIMEOUT"])
		if err != nil {
			t.Fatal(err)
		}
		var preStop time.Duration
		if c.Lifecycle != nil && c.Lifecycle.PreStop != nil && c.Lifecycle.PreStop.Sleep != nil {
			preStop = time.Duration(c.Lifecycle.PreStop.Sleep.Seconds) * time.Second
		}
		grace := d.Spec.Template.Spec.TerminationGracePeriodSeconds
		if grace == nil || time.Duration(*grace)*time.Second <= shutdown+preStop {
			t.Errorf("terminationGracePeriodSeconds must exceed CRMLENS_SHUTDOWN_TIMEOUT (%s) plus the preStop pause (%s)", shutdown, preStop)
		}
	})

	t.Run("service", func(t *testing.T) {
		if !selects(m.service.Spec.Selector, podLabels) {
			t.Errorf("the Service selector %v does not match the pods %v", m.service.Spec.Selector, podLabels)
		}
		for _, p := range m.service.Spec.Ports {
			if p.TargetPort.String() != "http" {
				t.Errorf("service port %s targets %s, want the named port http", p.Name, p.TargetPort.String())
			}
		}
	})

	t.Run("autoscaler and disruption budget", func(t *testing.T) {
		ref := m.hpa.Spec.ScaleTargetRef
		if ref.Kind != "Deployment" || ref.APIVersion != "apps/v1" || ref.Name != d.Name {
			t.Errorf("the HPA targets %s %s %s, want apps/v1 Deployment %s", ref.APIVersion, ref.Kind, ref.Name, d.Name)
		}
		if m.hpa.Spec.MinReplicas == nil || *m.hpa.Spec.MinReplicas < 2 || m.hpa.Spec.MaxReplicas < *m.hpa.Spec.MinReplicas {
			t.Errorf("HPA replicas %v..%d: at least 2 for availability", m.hpa.Spec.MinReplicas, m.hpa.Spec.MaxReplicas)
		}
		if len(m.hpa.Spec.Metrics) == 0 || c.Resources.Requests.Cpu().IsZero() {
			t.Error("a CPU-based HPA needs metrics and the container's CPU request")
		}
		if m.pdb.Spec.Selector == nil || !selects(m.pdb.Spec.Selector.MatchLabels, podLabels) {
			t.Error("the PodDisruptionBudget does not select the pods")
		}
	})

	t.Run("configuration is valid for crmlens", func(t *testing.T) {
		env := map[string]string{}
		for k, v := range m.configMap.Data {
			env[k] = v
		}
		for k, v := range m.secret.StringData {
			env[k] = v
		}
		for k := range env {
			if !vars[k] {
				t.Errorf("%s is not a crmlens variable", k)
			}
		}
		for _, k := range []string{"CRMLENS_DATABASE_URL", "CRMLENS_MASTER_KEY"} {
			if _, ok := m.secret.StringData[k]; !ok {
				t.Errorf("the Secret lacks %s", k)
			}
			if _, ok := m.configMap.Data[k]; ok {
				t.Errorf("%s is a secret and must not be in the ConfigMap", k)
			}
		}
		if _, err := config.LoadFrom(env); err != nil {
			t.Errorf("crmlens refuses the manifests' configuration: %v", err)
		}
	})

	t.Run("migrations run in a job", func(t *testing.T) {
		if m.configMap.Data["CRMLENS_MIGRATE_ON_START"] != "false" {
			t.Error("with a migrate Job, pods must not migrate on start (CRMLENS_MIGRATE_ON_START=false)")
		}
		jc := m.job.Spec.Template.Spec.Containers
		if len(jc) != 1 || strings.Join(jc[0].Args, " ") != "migrate" || jc[0].Image != c.Image {
			t.Errorf("the Job must run `migrate` with the Deployment's image: %+v", jc)
		}
	})
}

func TestCompose(t *testing.T) {
	vars := configVars(t)
	var f struct {
		Name     string                    `json:"name"`
		Services map[string]map[string]any `json:"services"`
		Secrets  map[string]struct {
			File string `json:"file"`
		} `json:"secrets"`
		Volumes map[string]any `json:"volumes"`
	}
	if err := yaml.UnmarshalStrict(read(t, "docker-compose.yml"), &f); err != nil {
		t.Fatal(err)
	}
	db, app := f.Services["mysql"], f.Services["crmlens"]
	if db == nil || app == nil {
		t.Fatalf("services = %v, want mysql and crmlens", f.Services)
	}
	if img, _ := db["image"].(string); !strings.HasPrefix(img, "mysql:8") {
		t.Errorf("mysql image = %q, want MySQL 8", img)
	}
	build, _ := app["build"].(map[string]any)
	if build == nil || build["dockerfile"] != "deploy/Dockerfile" || build["context"] != ".." {
		t.Errorf("crmlens build = %v", build)
	}
	if _, err := os.Stat(filepath.Join("..", build["dockerfile"].(string))); err != nil {
		t.Error(err)
	}
	deps, _ := app["depends_on"].(map[string]any)
	if cond, _ := deps["mysql"].(map[string]any); cond == nil || cond["condition"] != "service_healthy" {
		t.Errorf("crmlens must wait for a healthy mysql: %v", deps)
	}
	env, _ := app["environment"].(map[string]any)
	for k := range env {
		if !vars[k] {
			t.Errorf("crmlens environment %s is not a crmlens variable", k)
		}
	}
	for _, k := range []string{"CRMLENS_DATABASE_URL_FILE", "CRMLENS_MASTER_KEY_FILE"} {
		v, _ := env[k].(string)
		if !strings.HasPrefix(v, "/run/secrets/") {
			t.Errorf("%s = %q, want a file under /run/secrets", k, v)
		}
	}
	for name, svc := range f.Services {
		list, _ := svc["secrets"].([]any)
		for _, s := range list {
			if _, ok := f.Secrets[s.(string)]; !ok {
				t.Errorf("service %s uses undeclared secret %v", name, s)
			}
		}
	}
	for k, v := range env {
		s, _ := v.(string)
		if name, ok := strings.CutPrefix(s, "/run/secrets/"); ok {
			if !slices.Contains(toStrings(app["secrets"]), name) {
				t.Errorf("%s reads secret %s, which is not mounted", k, name)
			}
		}
	}
}

func toStrings(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, s := range list {
		if str, ok := s.(string); ok {
			out = append(out, str)
		}
	}
	return out
}

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	cmd, args string
}

func parseDockerfile(t *testing.T) [][]instruction {
	t.Helper()
	var stages [][]instruction
	var cur strings.Builder
	flush := func() {
		line := strings.TrimSpace(cur.String())
		cur.Reset()
		if line == "" {
			return
		}
		cmd, args, _ := strings.Cut(line, " ")
		in := instruction{strings.ToUpper(cmd), strings.TrimSpace(args)}
		if in.cmd == "FROM" {
			stages = append(stages, nil)
		}
		if len(stages) == 0 {
			if in.cmd != "ARG" {
				t.Fatalf("%s before the first FROM", in.cmd)
			}
			return
		}
		stages[len(stages)-1] = append(stages[len(stages)-1], in)
	}
	sc := bufio.NewScanner(bytes.NewReader(read(t, "Dockerfile")))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		if s, ok := strings.CutSuffix(line, "\\"); ok {
			cur.WriteString(s + " ")
			continue
		}
		cur.WriteString(line)
		flush()
	}
	flush()
	return stages
}

func TestDockerfile(t *testing.T) {
	stages := parseDockerfile(t)
	if len(stages) != 3 {
		t.Fatalf("%d stages, want 3 (front end, Go build, runtime)", len(stages))
	}
	from := func(i int) (image, name string) {
		f := strings.Fields(stages[i][0].args)
		if len(f) == 3 && strings.EqualFold(f[1], "AS") {
			return f[0], f[2]
		}
		return f[0], ""
	}
	all := func(i int, cmd string) []string {
		var out []string
		for _, in := range stages[i] {
			if in.cmd == cmd {
				out = append(out, in.args)
			}
		}
		return out
	}

	t.Run("front end stage", func(t *testing.T) {
		image, name := from(0)
		m := regexp.MustCompile(`^node:(\d+)`).FindStringSubmatch(image)
		if name != "frontend" || m == nil {
			t.Fatalf("stage 1 = %s AS %s, want node AS frontend", image, name)
		}
		if major, _ := strconv.Atoi(m[1]); major < 20 {
			t.Errorf("node %d; package.json needs 20.19+", major)
		}
		if !slices.ContainsFunc(all(0, "RUN"), func(s string) bool { return strings.Contains(s, "npm run build") }) {
			t.Error("the front end stage does not run npm run build")
		}
		for _, cp := range all(0, "COPY") {
			f := strings.Fields(cp)
			for _, src := range f[:len(f)-1] {
				if _, err := os.Stat(filepath.Join("..", src)); err != nil {
					t.Errorf("COPY %s: %v", src, err)
				}
			}
		}
	})

	t.Run("static Go build", func(t *testing.T) {
		image, name := from(1)
		m := regexp.MustCompile(`^golang:(\d+\.\d+)`).FindStringSubmatch(image)
		if name != "build" || m == nil {
			t.Fatalf("stage 2 = %s AS %s, want golang AS build", image, name)
		}
		gomod := string(read(t, "../go.mod"))
		want := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindStringSubmatch(gomod)
		if want == nil || m[1] != want[1] {
			t.Errorf("golang image %s, go.mod needs go %v", m[1], want)
		}
		builds := slices.DeleteFunc(all(1, "RUN"), func(s string) bool { return !strings.Contains(s, "go build") })
		if len(builds) != 1 || !strings.Contains(builds[0], "CGO_ENABLED=0") || !strings.Contains(builds[0], "./cmd/crmlens") {
			t.Errorf("go build = %v, want one CGO_ENABLED=0 build of ./cmd/crmlens", builds)
		}
		if !slices.ContainsFunc(all(1, "COPY"), func(s string) bool { return strings.HasPrefix(s, "--from=frontend ") }) {
			t.Error("the Go stage does not copy the built front end in before go build")
		}
	})

	t.Run("runtime stage", func(t *testing.T) {
		image, _ := from(2)
		if image != "scratch" && !strings.HasPrefix(image, "gcr.io/distroless/static") {
			t.Errorf("runtime image %s, want distroless static or scratch (no libc: the binary is static)", image)
		}
		users := all(2, "USER")
		if len(users) == 0 {
			t.Fatal("no USER: the runtime stage would run as root")
		}
		u, _, _ := strings.Cut(users[len(users)-1], ":")
		if u == "root" || u == "0" || u == "" {
			t.Errorf("USER %s is root", users[len(users)-1])
		}
		if ep := all(2, "ENTRYPOINT"); len(ep) != 1 || ep[0] != `["/crmlens"]` {
			t.Errorf("ENTRYPOINT = %v", ep)
		}
		if !slices.ContainsFunc(all(2, "COPY"), func(s string) bool { return strings.HasPrefix(s, "--from=build /out/crmlens ") }) {
			t.Error("the runtime stage does not copy the binary from the build stage")
		}
		vars := configVars(t)
		for _, env := range all(2, "ENV") {
			for _, f := range strings.Fields(env) {
				k, _, _ := strings.Cut(f, "=")
				if !vars[k] {
					t.Errorf("ENV %s is not a crmlens variable", k)
				}
			}
		}
		if !slices.Contains(all(2, "EXPOSE"), "8080") {
			t.Error("EXPOSE 8080 missing")
		}
	})
}

func TestNginxExample(t *testing.T) {
	conf := string(read(t, "nginx/crmlens.conf"))
	if strings.Count(conf, "{") != strings.Count(conf, "}") {
		t.Fatal("unbalanced braces")
	}
	for _, want := range []string{
		"listen 443 ssl", "ssl_certificate ", "ssl_certificate_key ", "ssl_protocols       TLSv1.2 TLSv1.3",
		"proxy_set_header X-Forwarded-For $remote_addr;", "proxy_pass http://crmlens;",
		"location = /metrics {\n        deny all;",
		"client_max_body_size " + strconv.Itoa(server.MaxBodyBytes>>10) + "k;",
		"CRMLENS_TRUSTED_PROXIES=127.0.0.1/32",
	} {
		if !strings.Contains(conf, want) {
			t.Errorf("nginx example lacks %q", want)
		}
	}
	if strings.Contains(conf, "X-Frame-Options") && !strings.Contains(conf, "No X-Frame-Options") {
		t.Error("X-Frame-Options would stop the platforms framing the sidebar")
	}
}

func TestSystemdUnit(t *testing.T) {
	vars := configVars(t)
	sections := map[string]map[string][]string{}
	var cur string
	sc := bufio.NewScanner(bytes.NewReader(read(t, "systemd/crmlens.service")))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			cur = strings.Trim(line, "[]")
			sections[cur] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || cur == "" {
				t.Fatalf("not a unit file line: %q", line)
			}
			sections[cur][k] = append(sections[cur][k], v)
		}
	}
	svc := sections["Service"]
	if svc == nil || sections["Unit"] == nil || sections["Install"] == nil {
		t.Fatalf("sections = %v", sections)
	}
	if exec := svc["ExecStart"]; len(exec) != 1 || !strings.HasSuffix(exec[0], "/crmlens serve") {
		t.Errorf("ExecStart = %v", exec)
	}
	if svc["DynamicUser"] == nil && svc["User"] == nil {
		t.Error("the service would run as root: set User= or DynamicUser=yes")
	}
	stop, err := time.ParseDuration(svc["TimeoutStopSec"][0] + "s")
	if err != nil || stop <= 20*time.Second {
		t.Errorf("TimeoutStopSec = %v: must exceed the 20s drain", svc["TimeoutStopSec"])
	}
	env := map[string]string{}
	for _, e := range svc["Environment"] {
		k, v, _ := strings.Cut(e, "=")
		if !vars[k] {
			t.Errorf("Environment %s is not a crmlens variable", k)
		}
		env[k] = v
	}
	creds := map[string]bool{}
	for _, c := range svc["LoadCredential"] {
		name, _, _ := strings.Cut(c, ":")
		creds[name] = true
	}
	for _, k := range []string{"CRMLENS_MASTER_KEY_FILE", "CRMLENS_DATABASE_URL_FILE"} {
		name, ok := strings.CutPrefix(env[k], "%d/")
		if !ok || !creds[name] {
			t.Errorf("%s = %q, want a LoadCredential file (%%d/NAME)", k, env[k])
		}
	}
}

// TestStaticBinary builds crmlens as the Dockerfile and `make build` do and
// checks that the result needs no dynamic loader and no shared library, so
// that it runs on scratch or distroless/static. bin/crmlens is checked too
// when present.
func TestStaticBinary(t *testing.T) {
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	out := filepath.Join(t.TempDir(), "crmlens")
	cmd := exec.Command(goBin, "build", "-trimpath", "-ldflags", "-s -w", "-o", out, "./cmd/crmlens")
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	bins := []string{out}
	if _, err := os.Stat("../bin/crmlens"); err == nil {
		bins = append(bins, "../bin/crmlens")
	}
	for _, path := range bins {
		t.Run(path, func(t *testing.T) {
			f, err := elf.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			for _, p := range f.Progs {
				if p.Type == elf.PT_INTERP {
					t.Error("the binary asks for a dynamic loader (PT_INTERP)")
				}
				if p.Type == elf.PT_DYNAMIC {
					t.Error("the binary has a dynamic section (PT_DYNAMIC)")
				}
			}
			libs, err := f.ImportedLibraries()
			if err != nil && !strings.Contains(err.Error(), "no dynamic") {
				t.Fatal(err)
			}
			if len(libs) > 0 {
				t.Errorf("the binary needs shared libraries (DT_NEEDED): %v", libs)
			}
		})
	}
}
