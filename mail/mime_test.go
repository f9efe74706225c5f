package mail_test

import "mime"

// mimeDecoder decodes RFC 2047 encoded words of a header.
type mimeDecoder struct{ mime.WordDecoder }

func (d *mimeDecoder) decode(s string) (string, error) { return d.DecodeHeader(s) }
