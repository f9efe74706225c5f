package qa

import "context"

// ForceRoleForTest sets a member's role behind the store's back, as an older
// binary or a manual UPDATE would (no setup links are voided).
func (s *Store) ForceRoleForTest(ctx context.Context, id int64, r Role) error {
	return s.db.WithContext(ctx).Model(&Member{}).Where("id = ?", id).Update("role", r).Error
}

// UnusedSetupLinksForTest counts the setup links not yet used.
func (s *Store) UnusedSetupLinksForTest(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&oneTimeToken{}).Where("purpose = ? AND used_at IS NULL", purposeSetup).Count(&n).Error
	return n, err
}
