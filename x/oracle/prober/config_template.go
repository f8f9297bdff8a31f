package prober

// ConfigTemplate is the [oracle] section of app.toml, in the text/template
// style of the Cosmos SDK's app.toml template. The app config embeds a field
// named Oracle of type Config.
const ConfigTemplate = `
###############################################################################
###                       Oracle QoS Prober Configuration                   ###
###############################################################################

[oracle]

# Probe the storage units assigned to this validator and report their quality
# of service in vote extensions. Only validators need it; a disabled prober
# reports nothing.
enabled = {{ .Oracle.Enabled }}

# Time between two checks of the same storage unit (at least 100ms).
probe-interval = "{{ .Oracle.ProbeInterval }}"

# Hard limit for any single probe request, including reading its body
# (100ms to 60s). A slower request counts as failed.
request-timeout = "{{ .Oracle.RequestTimeout }}"

# Hard limit for a whole check of a unit: its pings, download and upload
# (from request-timeout to 60s). Keep it well inside an assignment window
# (window_blocks blocks), so that a unit that never answers is measured as
# down within the window; operations it leaves no time for count as failed.
check-timeout = "{{ .Oracle.CheckTimeout }}"

# Size in bytes of the download and upload probe objects (1024 to 67108864).
# Providers host flashback-probe/object-<size>, so changing it makes every
# download fail until providers upload an object of the new size.
object-size = {{ .Oracle.ObjectSize }}

# Ping requests per check (1 to 15); the median latency is reported.
latency-samples = {{ .Oracle.LatencySamples }}

# Maximum number of storage units probed at the same time (1 to 256).
concurrency = {{ .Oracle.Concurrency }}

# A unit whose last completed check is older than this is not reported
# (at least probe-interval).
max-staleness = "{{ .Oracle.MaxStaleness }}"

# Allow probes to connect to addresses that are not public: loopback,
# private (10/8, 172.16/12, 192.168/16, IPv6 ULA), link-local (including the
# cloud metadata address 169.254.169.254), shared 100.64/10, multicast and
# other special-purpose ranges. The check applies to the address actually
# connected to, after DNS. Keep it false on a real network: providers write
# the endpoints, and could otherwise make this node send requests into its
# own network. Local test networks, whose storage runs on 127.0.0.1, set it.
allow-private-endpoints = {{ .Oracle.AllowPrivateEndpoints }}
`
