package weaviate

import (
	"strings"
	"testing"
)

func TestParseAddrGRPC(t *testing.T) {
	for _, tc := range []struct{ addr, host, scheme, grpc string }{
		{"127.0.0.1:8089", "127.0.0.1:8089", "http", "127.0.0.1:8090"},
		{"weaviate://h:8080?grpc=:50051", "h:8080", "http", "h:50051"},
		{"https://h:443?grpc=g:50051", "h:443", "https", "g:50051"},
		{"http://h:8080?grpc=off", "h:8080", "http", ""},
		{"http://h", "h", "http", ""}, // no port: no guess
	} {
		host, scheme, grpc, err := parseAddr(tc.addr)
		if err != nil || host != tc.host || scheme != tc.scheme || grpc != tc.grpc {
			t.Errorf("%s: %q %q %q %v, want %q %q %q", tc.addr, host, scheme, grpc, err, tc.host, tc.scheme, tc.grpc)
		}
	}
	for _, tc := range []struct{ addr, want string }{
		{"h:8080?grpc=50051", "grpc=\"50051\""},
		{"h:8080?grcp=:1", "unknown parameter \"grcp\""},
	} {
		if _, _, _, err := parseAddr(tc.addr); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %s", tc.addr, err, tc.want)
		}
	}
}
