package probe

// profile: is interval: on every CPU (see interval.go), for sampling.
func init() {
	Register(&timedProvider{name: "profile", alias: "p", allCPUs: true})
}
