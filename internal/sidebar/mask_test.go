package sidebar_test

import (
	"testing"

	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/sidebar"
)

func TestMask(t *testing.T) {
	tests := []struct {
		typ  layout.FieldType
		in   string
		want string
	}{
		{layout.Phone, "15912345678", "159****5678"},
		{layout.Phone, "+8613800138000", "+86*******8000"},
		{layout.Phone, "1234567", "1*****7"}, // too short to keep 7 digits
		{layout.Email, "zhang.san@example.com", "z***@example.com"},
		{layout.Email, "李@example.cn", "李***@example.cn"},
		{layout.Email, "not-an-email", "n**********l"},
		{layout.Text, "张三丰", "张*丰"},
		{layout.Text, "ab", "**"},
		{layout.Text, "", ""},
	}
	for _, tt := range tests {
		if got := sidebar.Mask(tt.typ, tt.in); got != tt.want {
			t.Errorf("Mask(%s, %q) = %q, want %q", tt.typ, tt.in, got, tt.want)
		}
	}
}
