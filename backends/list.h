/* The backends, one X-macro entry each: X(symbol) names `backend_<symbol>` in backends/. */
#define BACKEND_LIST(X) \
	X(native)       \
	X(container)    \
	X(gvisor)       \
	X(gvisor_kvm)   \
	X(uml)          \
	X(tcg)          \
	X(tcg_virtio)   \
	X(kvm)          \
	X(kvm_virtio)   \
	X(tcg_nano)     \
	X(kvm_nano)     \
	X(null)
