package qa

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"time"

	"golang.org/x/image/webp"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Image limits: the bytes of one image, and its size in pixels (a small
// file can hold a picture that takes gigabytes to show: a reader's browser
// decodes it, so its dimensions are bounded too).
const (
	MaxImageBytes  = 5 << 20
	MaxImageSide   = 16384
	MaxImagePixels = 50_000_000
	// MaxUploadBytes bounds the request body of an upload: an image of
	// MaxImageBytes and the multipart form around it.
	MaxUploadBytes = MaxImageBytes + 64<<10
)

// Image is a picture uploaded for answers. Its bytes live in the database
// (a backup stays the database alone); its URL names its content hash, so
// it never changes and caches may keep it for good.
type Image struct {
	ID          int64
	SHA256      string `gorm:"column:sha256"`
	ContentType string
	Size        int64
	Width       int
	Height      int
	UploaderID  *int64
	CreatedAt   time.Time
	Data        []byte `gorm:"column:data"`

	// Public reports whether visitors may see it: a published public
	// answer uses it (FindImage sets it). Anything else is private to who
	// may read it, and no shared cache may keep it.
	Public bool `gorm:"-"`
}

// TableName implements gorm's Tabler.
func (Image) TableName() string { return "images" }

// imageTypes are the types an answer may show, with their URL extension and
// the decoder of their header.
var imageTypes = map[string]struct {
	ext    string
	config func([]byte) (image.Config, error)
}{
	"image/png":  {"png", func(b []byte) (image.Config, error) { return png.DecodeConfig(bytes.NewReader(b)) }},
	"image/jpeg": {"jpg", func(b []byte) (image.Config, error) { return jpeg.DecodeConfig(bytes.NewReader(b)) }},
	"image/gif":  {"gif", func(b []byte) (image.Config, error) { return gif.DecodeConfig(bytes.NewReader(b)) }},
	"image/webp": {"webp", func(b []byte) (image.Config, error) { return webp.DecodeConfig(bytes.NewReader(b)) }},
}

// Ext is the image's file extension in its URL ("png", "jpg", "gif", "webp").
func (i *Image) Ext() string { return imageTypes[i.ContentType].ext }

// URL is where the image is served, relative to the site: what the
// Markdown of an answer holds.
func (i *Image) URL() string { return "/images/" + i.SHA256 + "." + i.Ext() }

// ImageExtOK reports whether ext (as in the image's URL; "jpeg" for "jpg"
// too) names the image's type.
func (i *Image) ImageExtOK(ext string) bool {
	return ext == i.Ext() || ext == "jpeg" && i.ContentType == "image/jpeg"
}

// sniffImage returns the type of data judged from its bytes alone (never a
// file name or a client's word), "" with the sniffed type of anything else.
func sniffImage(data []byte) (ok string, other string) {
	ct := http.DetectContentType(data)
	if _, known := imageTypes[ct]; known {
		return ct, ""
	}
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return "", ct
}

// SaveImage stores an image for answers and returns it (without its bytes).
// Expert only (answers are the expert's). The type is sniffed from the
// bytes: PNG, JPEG, GIF and WebP only, whose header must decode; at most
// MaxImageBytes, MaxImageSide pixels a side and MaxImagePixels in all.
// The same bytes saved twice are one image. A refused image stores nothing.
func (s *Store) SaveImage(ctx context.Context, actor Actor, data []byte) (*Image, error) {
	if err := actor.requireExpert(true); err != nil {
		return nil, err
	}
	img, err := checkImage(data)
	if err != nil {
		return nil, err
	}
	if actor.Member != nil {
		img.UploaderID = &actor.Member.ID
	}
	img.CreatedAt = s.clock()
	var stored Image
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "sha256"}}, DoNothing: true}).Create(img).Error; err != nil {
			return err
		}
		// Stored now or before: the stored row is the image.
		return tx.Omit("data").Where("sha256 = ?", img.SHA256).Take(&stored).Error
	})
	if err != nil {
		return nil, err
	}
	return &stored, nil
}

// checkImage validates data as an image and describes it.
func checkImage(data []byte) (*Image, error) {
	if len(data) == 0 {
		return nil, E(KeyImageEmpty, nil)
	}
	if len(data) > MaxImageBytes {
		return nil, E(KeyImageLarge, Args{"MiB": MaxImageBytes >> 20})
	}
	ct, other := sniffImage(data)
	if ct == "" {
		return nil, E(KeyImageType, Args{"Type": other})
	}
	cfg, err := imageTypes[ct].config(data)
	if err != nil {
		return nil, E(KeyImageBroken, Args{"Type": imageTypes[ct].ext}).Wrap(err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxImageSide || cfg.Height > MaxImageSide ||
		int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels {
		return nil, E(KeyImagePixels, Args{"Side": MaxImageSide, "Megapixels": MaxImagePixels / 1_000_000,
			"Width": cfg.Width, "Height": cfg.Height})
	}
	sum := sha256.Sum256(data)
	return &Image{SHA256: hex.EncodeToString(sum[:]), ContentType: ct, Size: int64(len(data)),
		Width: cfg.Width, Height: cfg.Height, Data: data}, nil
}

// imageHash is an image's hash as its URL spells it.
var imageHash = regexp.MustCompile(`^[0-9a-f]{64}$`)

// FindImage returns the image of the hash with its bytes, if the actor may
// see it. An image is as visible as the published answers whose Markdown
// (or question) uses it: visitors see those of public answers, members who
// may read the archive those of any published answer, the expert every
// image. An image no published answer uses yet is the expert's alone
// (ENOTFOUND to anyone else); one used only by member-only answers is
// KeyImageMembers to visitors and lapsed members.
func (s *Store) FindImage(ctx context.Context, actor Actor, hash string) (*Image, error) {
	return s.findImage(ctx, actor, hash, true)
}

// FindImageInfo is FindImage without the bytes: enough to answer a
// revalidation (the hash is the version) by the same rules.
func (s *Store) FindImageInfo(ctx context.Context, actor Actor, hash string) (*Image, error) {
	return s.findImage(ctx, actor, hash, false)
}

func (s *Store) findImage(ctx context.Context, actor Actor, hash string, withData bool) (*Image, error) {
	return s.findImageFor(ctx, actor, hash, 0, withData)
}

// FindEmbeddedImage is FindImage for the card of a signed embed of answer
// (the caller has checked the grant, EmbedSigned): an image that published
// answer uses, whoever asks, member-only or not. Any other image is
// ENOTFOUND: a grant opens one answer's images, no more.
func (s *Store) FindEmbeddedImage(ctx context.Context, hash string, answer int64, withData bool) (*Image, error) {
	if answer <= 0 {
		return nil, E(KeyNotFound, Args{"What": "image"})
	}
	return s.findImageFor(ctx, System(), hash, answer, withData)
}

// findImageFor finds an image for actor, or (answer > 0) for a signed
// embed of that answer.
func (s *Store) findImageFor(ctx context.Context, actor Actor, hash string, answer int64, withData bool) (*Image, error) {
	if !imageHash.MatchString(hash) {
		return nil, E(KeyNotFound, Args{"What": "image"})
	}
	db := s.read(ctx)
	var img Image
	if err := db.Omit("data").Where("sha256 = ?", hash).First(&img).Error; err != nil {
		return nil, NotFound(err, "image")
	}
	var use struct {
		Answers int64
		Public  int64
	}
	err := db.Raw(`SELECT COUNT(*) AS answers, COALESCE(SUM(CASE WHEN a.public THEN 1 ELSE 0 END), 0) AS public
FROM image_refs r JOIN answers a ON a.id = r.answer_id
WHERE r.sha256 = ? AND a.published = ?`, hash, true).Scan(&use).Error
	if err != nil {
		return nil, translate(err)
	}
	img.Public = use.Public > 0
	if answer > 0 {
		var n int64
		err := db.Raw(`SELECT COUNT(*) FROM image_refs r JOIN answers a ON a.id = r.answer_id
WHERE r.sha256 = ? AND r.answer_id = ? AND a.published = ?`, hash, answer, true).Scan(&n).Error
		if err != nil {
			return nil, translate(err)
		}
		if n == 0 {
			return nil, E(KeyNotFound, Args{"What": "image"})
		}
	}
	switch {
	case actor.IsExpert() || img.Public:
	case use.Answers == 0:
		return nil, E(KeyNotFound, Args{"What": "image"})
	case !actor.CanReadArchive(s.clock()):
		return nil, E(KeyImageMembers, nil)
	}
	if !withData {
		return &img, nil
	}
	if err := db.Raw("SELECT data FROM images WHERE id = ?", img.ID).Row().Scan(&img.Data); err != nil {
		return nil, translate(err)
	}
	return &img, nil
}

// imageRef finds the images an answer's Markdown uses, by the hash in
// their URL (relative or absolute).
var imageRef = regexp.MustCompile(`/images/([0-9a-f]{64})\.(?:png|jpe?g|gif|webp)`)

// linkImages keeps image_refs true to the answers of cs after they
// changed: which images each answer's Markdown and its question's use. It
// runs inside the writer's transaction, from appendChanges, which every
// write of an answer goes through (publish, edit, import, merge, delete).
func (s *Store) linkImages(tx *gorm.DB, cs []*Change) error {
	var ids []int64
	for _, c := range cs {
		if c.Entity == EntityAnswer {
			ids = append(ids, c.EntityID)
		}
	}
	for len(ids) > 0 {
		batch := ids[:min(len(ids), 500)]
		ids = ids[len(batch):]
		if err := tx.Exec("DELETE FROM image_refs WHERE answer_id IN ?", batch).Error; err != nil {
			return err
		}
		var rows []struct {
			ID           int64
			BodyMarkdown string
			Body         string
		}
		if err := tx.Raw(`SELECT a.id, a.body_markdown, q.body FROM answers a JOIN questions q ON q.id = a.question_id
WHERE a.id IN ? AND (a.body_markdown LIKE ? OR q.body LIKE ?)`, batch, "%/images/%", "%/images/%").Scan(&rows).Error; err != nil {
			return err
		}
		var refs []map[string]any
		for _, r := range rows {
			seen := map[string]bool{}
			for _, m := range imageRef.FindAllStringSubmatch(r.BodyMarkdown+"\n"+r.Body, -1) {
				if !seen[m[1]] {
					seen[m[1]] = true
					refs = append(refs, map[string]any{"answer_id": r.ID, "sha256": m[1]})
				}
			}
		}
		if len(refs) > 0 {
			if err := tx.Table("image_refs").CreateInBatches(refs, 300).Error; err != nil {
				return err
			}
		}
	}
	return nil
}

// MayUploadImage says whether the actor may upload images (SaveImage), so
// that an adapter can refuse before it reads a large body.
func (a Actor) MayUploadImage() error { return a.requireExpert(true) }

// ReadImageUpload reads an uploaded image from a request body of the given
// Content-Type: the part named "file" of a multipart form, or else the
// body itself. It reads at most one byte more than an image may have, so
// that SaveImage refuses what is over the limit; a body cut off by the
// server's limit (*http.MaxBytesError) is KeyImageLarge too.
func ReadImageUpload(body io.Reader, contentType string) ([]byte, error) {
	src := body
	if mt, params, _ := mime.ParseMediaType(contentType); mt == "multipart/form-data" {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return nil, E(KeyImageEmpty, nil)
			}
			if err != nil {
				return nil, uploadError(err)
			}
			if p.FormName() == "file" {
				src = p
				break
			}
		}
	}
	data, err := io.ReadAll(io.LimitReader(src, MaxImageBytes+1))
	if err != nil {
		return nil, uploadError(err)
	}
	return data, nil
}

// uploadError is a failed read of an upload: over the server's limit, or
// not readable.
func uploadError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return E(KeyImageLarge, Args{"MiB": MaxImageBytes >> 20})
	}
	return E(KeyBodyUnreadable, nil).Wrap(err)
}
