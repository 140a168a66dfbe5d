package sobot_test

import (
	"strings"
	"testing"

	"github.com/crmlens/crmlens/internal/adapter"
	"github.com/crmlens/crmlens/internal/adapter/sobot"
	"github.com/crmlens/crmlens/internal/apperr"
)

func FuzzSobotDecode(f *testing.F) {
	keyed := newSobot(f, []string{key, oldKey}, sobot.Options{})
	keyless := newSobot(f, nil, sobot.Options{})
	f.Add("crm-1001", "", agent, ts, "u-77", `{"level":"VIP","n":1}`, uint8(0))
	f.Add("", "zc", agent, ts, "u", "", uint8(1))
	f.Add("", "", "", ts, "", `[1]`, uint8(0))
	f.Add("p", "q", agent, "17", "u", `{"a":{"b":[1,null]}}`, uint8(2))
	f.Add("45crm", "", agent, ts[:len(ts)-2], "", "", uint8(3))
	f.Fuzz(func(t *testing.T, partnerID, partnerid, email, timestamp, uid, custom string, mode uint8) {
		params := map[string]string{}
		for k, v := range map[string]string{"partnerId": partnerID, "partnerid": partnerid, "email": email,
			"timestamp": timestamp, "uid": uid, "params": custom} {
			if v != "" {
				params[k] = v
			}
		}
		pid := partnerID
		if _, ok := params["partnerId"]; !ok {
			pid = partnerid
		}
		// Sign some inputs properly, so that the claims code is reached.
		switch mode % 4 {
		case 0:
			params["sign"] = md5hex(sysNum + key + timestamp + pid)
		case 1:
			params["sign"] = md5hex(sysNum + email)
		case 2:
			params["sign"] = md5hex(sysNum + oldKey + timestamp + pid)
		default:
			params["sign"] = md5hex(partnerID + uid)
		}
		sign := params["sign"]
		for _, tc := range []struct {
			s     *sobot.Sobot
			valid map[string]bool
		}{
			{keyed, map[string]bool{md5hex(sysNum + key + timestamp + pid): true, md5hex(sysNum + oldKey + timestamp + pid): true}},
			{keyless, map[string]bool{md5hex(sysNum + email): true}},
		} {
			c, err := tc.s.Decode(params)
			if err != nil {
				e := apperr.As(err)
				if e == nil || e.Code == "" || e.Message == "" || e.Kind == apperr.Internal {
					t.Fatalf("Decode returned %v, not a client error", err)
				}
				for _, secret := range []string{key, oldKey, sysNum, sign} {
					if strings.Contains(e.Message, secret) {
						t.Fatalf("message shows a secret: %q", e.Message)
					}
				}
				continue
			}
			if !tc.valid[sign] {
				t.Fatalf("keyed=%v accepted a sign no documented form gives", tc.s.Keyed())
			}
			if (c.Channel != "sobot" && c.Channel != "sobot_uid") || strings.TrimSpace(c.VisitorID) == "" ||
				len([]rune(c.VisitorID)) > adapter.MaxVisitorID || len(c.Verified) != 0 {
				t.Fatalf("bad claims %+v", c)
			}
			if c.Channel == "sobot" && c.VisitorID != strings.TrimSpace(pid) {
				t.Fatalf("VisitorID %q is not the partnerId %q", c.VisitorID, pid)
			}
		}
	})
}
