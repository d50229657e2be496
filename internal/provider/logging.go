package provider

import "os"

// sdkLogLevelVariables set the level of the SDK's and the provider's loggers.
var sdkLogLevelVariables = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER", "TF_LOG_PROVIDER_ALBATO"}

// QuietLogsUnlessAsked turns the provider's logging off when nobody asked
// for logs: without a level the SDK loggers format TRACE entries that
// Terraform discards, a third of a no-change plan's CPU time (BENCHMARKS.md).
func QuietLogsUnlessAsked() {
	for _, v := range append([]string{"TF_LOG", "TF_LOG_PATH", "TF_ACC_LOG_PATH", "TF_LOG_PATH_MASK"}, sdkLogLevelVariables...) {
		if os.Getenv(v) != "" {
			return
		}
	}
	for _, v := range sdkLogLevelVariables {
		_ = os.Setenv(v, "off")
	}
}
