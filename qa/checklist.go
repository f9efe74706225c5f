package qa

import (
	"context"

	"gorm.io/gorm"
)

// The owner's first steps: after setup the dashboard shows a short
// checklist — name the site, sell (a plan or a code), fill the archive,
// bring members — each ticked by what the database holds, not by a click,
// until every step is done or the owner dismisses it.

// Checklist steps, in the order they are shown.
const (
	StepName    = "name"
	StepSell    = "sell"
	StepArchive = "archive"
	StepInvite  = "invite"
)

const settingChecklistDismissed = "checklist_dismissed"

// ChecklistStep is one step and whether it is done.
type ChecklistStep struct {
	Step string
	Done bool
}

// Checklist is the owner's first steps. Show is false once every step is
// done or the owner dismissed it.
type Checklist struct {
	Steps []ChecklistStep
	Done  int
	Show  bool
}

// SetupChecklist returns the first steps and which are done: the site has
// a name of its own; a plan or a membership code exists; the archive holds
// an answer; a member who is not the expert exists. Expert only.
func (s *Store) SetupChecklist(ctx context.Context, actor Actor) (*Checklist, error) {
	if err := actor.requireExpert(false); err != nil {
		return nil, err
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	db := s.read(ctx)
	exists := func(q *gorm.DB) (bool, error) {
		var n int64
		err := q.Limit(1).Count(&n).Error
		return n > 0, translate(err)
	}
	var done [4]bool
	done[0] = st.SiteName != DefaultSiteName || st.IsFixed(FixedSiteName)
	if done[1], err = exists(db.Model(&Plan{})); err == nil && !done[1] {
		done[1], err = exists(db.Model(&MembershipCode{}))
	}
	if err == nil {
		done[2], err = exists(db.Model(&Answer{}).Where("published = ?", true))
	}
	if err == nil {
		done[3], err = exists(db.Model(&Member{}).Where("role <> ?", RoleExpert))
	}
	if err != nil {
		return nil, err
	}
	var dismissed bool
	if _, err := s.readSetting(ctx, settingChecklistDismissed, &dismissed); err != nil {
		return nil, err
	}
	c := &Checklist{}
	for i, step := range []string{StepName, StepSell, StepArchive, StepInvite} {
		c.Steps = append(c.Steps, ChecklistStep{Step: step, Done: done[i]})
		if done[i] {
			c.Done++
		}
	}
	c.Show = !dismissed && c.Done < len(c.Steps)
	return c, nil
}

// DismissChecklist hides the first steps for good. Expert only.
func (s *Store) DismissChecklist(ctx context.Context, actor Actor) error {
	if err := actor.requireExpert(true); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error { return s.writeSetting(tx, settingChecklistDismissed, true) })
}
