package qa

import "context"

// ImageCount is how many images the store holds (for qa_test: that a
// refused upload stores nothing).
func (s *Store) ImageCount(ctx context.Context) (int64, error) {
	var n int64
	err := s.read(ctx).Model(&Image{}).Count(&n).Error
	return n, err
}
