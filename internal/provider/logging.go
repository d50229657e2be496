package provider

import "os"

// sdkLogLevelVariables are the terraform-plugin-log variables that set the
// level of the provider's loggers: the SDK's own (protocol, framework) and
// the provider's.
var sdkLogLevelVariables = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER", "TF_LOG_PROVIDER_ALBATO"}

// QuietLogsUnlessAsked turns the provider's logging off when nobody asked
// for logs. Terraform shows a provider's logs only when TF_LOG or
// TF_LOG_PROVIDER is set, yet without a level the SDK loggers default to
// TRACE and format several entries for every RPC and every HTTP attempt,
// which Terraform then discards: about a third of the provider's CPU time in
// a no-change plan of 500 links (BENCHMARKS.md). A level the user set, for
// any logger, is kept as it is. main calls it before serving.
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
