package provider

import (
	"os"
	"testing"
)

func TestQuietLogsUnlessAsked(t *testing.T) {
	watched := append([]string{"TF_LOG", "TF_LOG_PATH", "TF_ACC_LOG_PATH", "TF_LOG_PATH_MASK"}, sdkLogLevelVariables...)
	for _, tc := range []struct {
		name    string
		set     map[string]string
		wantOff bool
	}{
		{"nobody asked for logs", nil, true},
		{"TF_LOG", map[string]string{"TF_LOG": "DEBUG"}, false},
		{"TF_LOG_PROVIDER", map[string]string{"TF_LOG_PROVIDER": "TRACE"}, false},
		{"an SDK logger", map[string]string{"TF_LOG_SDK_FRAMEWORK": "DEBUG"}, false},
		{"a log file", map[string]string{"TF_LOG_PATH": "/tmp/tf.log"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, v := range watched {
				t.Setenv(v, tc.set[v]) // restored after the test
				if tc.set[v] == "" {
					_ = os.Unsetenv(v)
				}
			}
			QuietLogsUnlessAsked()
			for _, v := range sdkLogLevelVariables {
				got, want := os.Getenv(v), tc.set[v]
				if tc.wantOff {
					want = "off"
				}
				if got != want {
					t.Errorf("%s = %q, want %q", v, got, want)
				}
			}
		})
	}
}
