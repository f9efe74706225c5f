package qa

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// setting is a row of the settings table: one named value, as JSON.
type setting struct {
	Key       string `gorm:"primaryKey"`
	Value     string
	UpdatedAt time.Time
}

func (setting) TableName() string { return "settings" }

// Setting keys.
const (
	settingDeclineReasons  = "decline_reasons"
	settingAnonymousAsking = "anonymous_asking"
)

// AnonymousAsking reports whether members may ask anonymously: true until
// the expert turns it off. Anyone may ask (the ask form shows the box or not).
func (s *Store) AnonymousAsking(ctx context.Context) (bool, error) {
	on := true
	_, err := s.readSetting(ctx, settingAnonymousAsking, &on)
	return on, err
}

// SetAnonymousAsking lets members ask anonymously, or not; questions
// already asked anonymously stay anonymous. Expert only.
func (s *Store) SetAnonymousAsking(ctx context.Context, actor Actor, on bool) error {
	if err := actor.requireExpert(true); err != nil {
		return err
	}
	return s.putSetting(ctx, settingAnonymousAsking, on)
}

// MaxDeclineReasons is how many canned decline reasons the expert may keep.
const MaxDeclineReasons = 20

// DeclineReasons returns the expert's canned reasons for declining a
// question, in the expert's order. It returns nil (and no error) when the
// expert has never set them, so the caller can offer defaults; an empty
// list means the expert removed them all. Expert only.
func (s *Store) DeclineReasons(ctx context.Context, actor Actor) ([]string, error) {
	if err := actor.requireExpert(false); err != nil {
		return nil, err
	}
	var out []string
	found, err := s.readSetting(ctx, settingDeclineReasons, &out)
	if err != nil || !found {
		return nil, err
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}

// SetDeclineReasons replaces the canned decline reasons. Each is checked
// like a decline reason; blank ones and repeats are dropped; at most
// MaxDeclineReasons. It returns the list as kept. Expert only.
func (s *Store) SetDeclineReasons(ctx context.Context, actor Actor, reasons []string) ([]string, error) {
	if err := actor.requireExpert(true); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(reasons))
	seen := map[string]bool{}
	for _, r := range reasons {
		if err := checkText("reason", r); err != nil {
			return nil, err
		}
		if strings.TrimSpace(r) == "" {
			continue
		}
		n, err := normalizeReason(r)
		if err != nil {
			return nil, err
		}
		if seen[n] {
			continue
		}
		seen[n] = true
		out = append(out, n)
	}
	if len(out) > MaxDeclineReasons {
		return nil, E(KeyReasonsMany, Args{"Max": MaxDeclineReasons, "Got": len(out)})
	}
	if err := s.putSetting(ctx, settingDeclineReasons, out); err != nil {
		return nil, err
	}
	return out, nil
}

// readSetting decodes the setting key into v; found is false (and v
// untouched) when the setting was never stored.
func (s *Store) readSetting(ctx context.Context, key string, v any) (found bool, err error) {
	return readSettingFrom(s.read(ctx), key, v)
}

// readSettingFrom is readSetting on db (a transaction's view).
func readSettingFrom(db *gorm.DB, key string, v any) (found bool, err error) {
	var st setting
	if err := db.Where("key = ?", key).First(&st).Error; err != nil {
		if ErrorCode(translate(err)) == ENOTFOUND {
			return false, nil
		}
		return false, translate(err)
	}
	if err := json.Unmarshal([]byte(st.Value), v); err != nil {
		return false, Internal(err, "decode setting "+key)
	}
	return true, nil
}

// writeSetting stores v as the setting key, in the transaction tx.
func (s *Store) writeSetting(tx *gorm.DB, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return Internal(err, "encode setting "+key)
	}
	return tx.Clauses(clause.OnConflict{UpdateAll: true}).
		Create(&setting{Key: key, Value: string(raw), UpdatedAt: s.clock()}).Error
}

// putSetting stores v as the setting key in a transaction of its own, and
// forgets the cached site settings once it has committed.
func (s *Store) putSetting(ctx context.Context, key string, v any) error {
	err := s.tx(ctx, func(tx *gorm.DB) error { return s.writeSetting(tx, key, v) })
	s.forgetSettings()
	return err
}
