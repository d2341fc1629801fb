package smtest

import (
	"encoding/json"
	"net/http"
	"time"
)

// putSecretValue stores a new AWSCURRENT version. A repeated
// ClientRequestToken with the same value is idempotent; with another value it
// answers ResourceExistsException, as AWS does.
func (f *Fake) putSecretValue(w http.ResponseWriter, r *http.Request, body []byte) {
	var in struct {
		SecretId, SecretString, ClientRequestToken string
		SecretBinary                               []byte
	}
	if err := json.Unmarshal(body, &in); err != nil {
		writeError(w, Fault{Type: "SerializationException"})
		return
	}
	name, ok := f.admit(w, r, in.SecretId, f.puts, "PutSecretValue")
	if !ok {
		return
	}
	if in.SecretString == "" && in.SecretBinary == nil {
		writeError(w, Fault{Type: "InvalidParameterException"})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	cur := f.secrets[name]
	if cur == nil {
		writeError(w, Fault{Type: "ResourceNotFoundException"})
		return
	}
	out := map[string]any{"ARN": f.ARN(name), "Name": name, "VersionStages": []string{"AWSCURRENT"}}
	if in.ClientRequestToken != "" && in.ClientRequestToken == cur.version {
		if cur.value != in.SecretString || string(cur.binary) != string(in.SecretBinary) {
			writeError(w, Fault{Type: "ResourceExistsException"})
			return
		}
		out["VersionId"] = cur.version
		writeJSON(w, http.StatusOK, out)
		return
	}
	version := in.ClientRequestToken
	if version == "" {
		version = f.nextIDLocked()
	}
	f.secrets[name] = &secret{value: in.SecretString, binary: in.SecretBinary, version: version, created: time.Now()}
	out["VersionId"] = version
	writeJSON(w, http.StatusOK, out)
}
