package qa

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"text/template"
)

// Key is the stable name of a user-facing message. The catalogs (qa/i18n)
// translate it; API clients receive it with its arguments. Keys are part of
// the outside interface: add freely, never rename.
type Key string

// The message keys. Every key has an entry in messages below and in both
// catalogs; TestMessages in qa/i18n fails otherwise.
const (
	KeyInternal Key = "err.internal"

	// Fields and lists.
	KeyRequired      Key = "err.required"
	KeyTooShort      Key = "err.too_short"
	KeyTooLong       Key = "err.too_long"
	KeyNotUTF8       Key = "err.not_utf8"
	KeyNUL           Key = "err.nul"
	KeyMarkdown      Key = "err.markdown"
	KeyEmailLong     Key = "err.email_long"
	KeyEmailInvalid  Key = "err.email_invalid"
	KeyTagEmpty      Key = "err.tag_empty"
	KeyTagLong       Key = "err.tag_long"
	KeyTagChars      Key = "err.tag_chars"
	KeyTagsMany      Key = "err.tags_many"
	KeyReasonRequire Key = "err.reason_required"
	KeyReasonsMany   Key = "err.reasons_many"
	KeyPage          Key = "err.page"
	KeyPerPage       Key = "err.per_page"
	KeyPageStart     Key = "err.page_start"
	KeyDateInvalid   Key = "err.date_invalid"
	KeyTimeZone      Key = "err.time_zone"
	KeyRole          Key = "err.role"
	KeyScope         Key = "err.scope"
	KeyStatus        Key = "err.status"
	KeySort          Key = "err.sort"
	KeyStanding      Key = "err.standing"
	KeySearchLong    Key = "err.search_long"
	KeyWholeNumber   Key = "err.whole_number"
	KeyBoolean       Key = "err.boolean"
	KeyRequestToken  Key = "err.request_token"

	// Lookups and the database.
	KeyNotFound     Key = "err.not_found"
	KeyNoPage       Key = "err.no_page"
	KeyNoRoute      Key = "err.no_route"
	KeyNoDraft      Key = "err.no_draft"
	KeyExists       Key = "err.exists"
	KeyBadReference Key = "err.bad_reference"
	KeyRetry        Key = "err.retry"

	// Who may do what.
	KeySignIn           Key = "err.sign_in"
	KeySignInLimited    Key = "err.sign_in_limited"
	KeySessionEnded     Key = "err.session_ended"
	KeySignInFirst      Key = "err.sign_in_first"
	KeyAuthHeader       Key = "err.auth_header"
	KeyExpertOnly       Key = "err.expert_only"
	KeyReadOnly         Key = "err.read_only"
	KeyMembersAsk       Key = "err.members_ask"
	KeyExpired          Key = "err.expired"
	KeyQuota            Key = "err.quota"
	KeyWithdrawAsker    Key = "err.withdraw_asker"
	KeyAnonymousOff     Key = "err.anonymous_off"
	KeyDraftsExpert     Key = "err.drafts_expert"
	KeyTokenSelf        Key = "err.token_self"
	KeyTokenReadOnly    Key = "err.token_read_only"
	KeyTokensOwn        Key = "err.tokens_own"
	KeyTokenInvalid     Key = "err.token_invalid"
	KeyFeedMembers      Key = "err.feed_members"
	KeyFeedLink         Key = "err.feed_link"
	KeyMembersOnly      Key = "err.members_only"
	KeyPasswordOwn      Key = "err.password_own"
	KeyPasswordShort    Key = "err.password_short"
	KeyPasswordLong     Key = "err.password_long"
	KeyPasswordsDiffer  Key = "err.passwords_differ"
	KeyCurrentPassword  Key = "err.current_password"
	KeyEmailTaken       Key = "err.email_taken"
	KeyLastExpert       Key = "err.last_expert"
	KeySetupLink        Key = "err.setup_link"
	KeyMemberDisabled   Key = "err.member_disabled"
	KeyNoMemberForEmail Key = "err.no_member_email"

	// The question's life.
	KeyQuestionClosed Key = "err.question_closed"
	KeyTransition     Key = "err.transition"
	KeyNotPublished   Key = "err.not_published"
	KeySelectNone     Key = "err.select_none"
	KeySelectMany     Key = "err.select_many"

	// Codes.
	KeyCodeInvalid  Key = "err.code_invalid"
	KeyCodeLimited  Key = "err.code_limited"
	KeyCodeDays     Key = "err.code_days"
	KeyCodeUses     Key = "err.code_uses"
	KeyCodeExpiry   Key = "err.code_expiry"
	KeySystemRedeem Key = "err.system_redeem"
	KeyRenewMembers Key = "err.renew_members"
	KeyRenewNoEnd   Key = "err.renew_no_end"

	// Webhooks.
	KeyWebhookURL     Key = "err.webhook_url"
	KeyWebhookEvent   Key = "err.webhook_event"
	KeyEventsRequired Key = "err.events_required"

	// Import and backup.
	KeySourceIDMissing  Key = "err.source_id_missing"
	KeySourceIDLong     Key = "err.source_id_long"
	KeyImportStatus     Key = "err.import_status"
	KeyQuestionIDBad    Key = "err.question_id_bad"
	KeyImportNoQuestion Key = "err.import_no_question"
	KeyImportNoAnswer   Key = "err.import_no_answer"
	KeyImportClosed     Key = "err.import_closed"
	KeyBackupPostgres   Key = "err.backup_postgres"
	KeyBackupExists     Key = "err.backup_exists"

	// Search.
	KeySearchRebuilding  Key = "err.search_rebuilding"
	KeySearchUnavailable Key = "err.search_unavailable"
	KeyNotSearchable     Key = "err.not_searchable"
	KeySearchSlow        Key = "err.search_slow"
	KeyQueryComplex      Key = "err.query_complex"
	KeyQueryUTF8         Key = "err.query_utf8"
	KeyQueryLong         Key = "err.query_long"
	KeyQueryWords        Key = "err.query_words"
	KeyQueryPhrases      Key = "err.query_phrases"
	KeyQueryExcluded     Key = "err.query_excluded"
	KeyQueryTags         Key = "err.query_tags"
	KeySearchTags        Key = "err.search_tags"
	KeyTextLong          Key = "err.text_long"
	KeyTextUTF8          Key = "err.text_utf8"

	// Requests.
	KeyFormLarge      Key = "err.too_large"
	KeyBodyLarge      Key = "err.body_large"
	KeyBodyUnreadable Key = "err.body_unreadable"
	KeyBodyEmpty      Key = "err.body_empty"
	KeyBodyUTF8       Key = "err.body_utf8"
	KeyJSONSyntax     Key = "err.json_syntax"
	KeyJSONType       Key = "err.json_type"
	KeyJSONObject     Key = "err.json_object"
	KeyJSONEnd        Key = "err.json_end"
	KeyJSONMalformed  Key = "err.json_malformed"
	KeyJSONOne        Key = "err.json_one"
	KeyEmbedForeign   Key = "err.embed_foreign"
	KeyOEmbedSize     Key = "err.oembed_size"
	KeyFeedSuffix     Key = "err.feed_suffix"
	KeyCrossOrigin    Key = "err.cross_origin"
	KeyMethod         Key = "err.method_not_allowed"

	// Notifications and e-mail.
	KeyMarkReadMany     Key = "err.mark_read_many"
	KeyTopic            Key = "err.topic"
	KeyMailMode         Key = "err.mail_mode"
	KeyUnsubscribeLink  Key = "err.unsubscribe_link"
	KeyResetLink        Key = "err.reset_link"
	KeyConfirmLink      Key = "err.confirm_link"
	KeyResetLimited     Key = "err.reset_limited"
	KeyConfirmLimited   Key = "err.confirm_limited"
	KeyEmailUnconfirmed Key = "err.email_unconfirmed"
	KeyFollowsMany      Key = "err.follows_many"
	KeyCodeCount        Key = "err.code_count"
	KeyPlanName         Key = "err.plan_name"
	KeyPlanAmount       Key = "err.plan_amount"
	KeyPlanCurrency     Key = "err.plan_currency"
	KeyPlanPeriod       Key = "err.plan_period"
	KeyPlanQuestions    Key = "err.plan_questions"
	KeyPlanTrial        Key = "err.plan_trial"
	KeyPlansMany        Key = "err.plans_many"
	KeySettingLang      Key = "err.setting_lang"
	KeySettingQuota     Key = "err.setting_quota"
	KeySettingExpire    Key = "err.setting_expire"
	KeySettingFixed     Key = "err.setting_fixed"
	KeyQuotaReadOnly    Key = "err.quota_read_only"
	KeyCodePlan         Key = "err.code_plan"
	KeyReferralPercent  Key = "err.referral_percent"
	KeyReferralDays     Key = "err.referral_days"
	KeyReferralWindow   Key = "err.referral_window"
	KeyEmbedTTL         Key = "err.embed_ttl"
	KeyTrialPlan        Key = "err.trial_plan"
	KeyTrialRefused     Key = "err.trial_refused"
	KeyTrialLimited     Key = "err.trial_limited"
	KeyTrialMembers     Key = "err.trial_members"
	KeyCheckoutLimited  Key = "err.checkout_limited"
	KeySMTPURL          Key = "err.smtp_url"
	KeyMailFrom         Key = "err.mail_from"

	// lifecycle
	KeyLastExpertDisable Key = "err.last_expert_disable"
	KeyImportOrphan      Key = "err.import_orphan"
	KeyImportAnswered    Key = "err.import_answered"

	// security
	KeyBusy            Key = "err.busy"
	KeyDBUnavailable   Key = "err.db_unavailable"
	KeyCopyTarget      Key = "err.copy_target"
	KeyPasswordLimited Key = "err.password_limited"
	KeySetupLimited    Key = "err.setup_limited"
	KeyJoinRefused     Key = "err.join_refused"
	KeyWebhookOverlap  Key = "err.webhook_overlap"

	// The expert's console.
	KeyTagSame      Key = "err.tag_same"
	KeyTagExists    Key = "err.tag_exists"
	KeySynonymTaken Key = "err.synonym_taken"
	KeySynonymsMany Key = "err.synonyms_many"
	KeyReviewMonths Key = "err.review_months"
	// images in answers
	KeyImageEmpty   Key = "err.image_empty"
	KeyImageLarge   Key = "err.image_large"
	KeyImageType    Key = "err.image_type"
	KeyImageBroken  Key = "err.image_broken"
	KeyImagePixels  Key = "err.image_pixels"
	KeyImageMembers Key = "err.image_members"
	// payments and referrals
	KeyPayOff       Key = "err.pay_off"
	KeyPayPlan      Key = "err.pay_plan"
	KeyPayEmail     Key = "err.pay_email"
	KeyPayProvider  Key = "err.pay_provider"
	KeyPaySignature Key = "err.pay_signature"
	KeyPayUnknown   Key = "err.pay_unknown"
	KeyPayMismatch  Key = "err.pay_mismatch"
	KeyPayPending   Key = "err.pay_pending"
	KeyPayoutMember Key = "err.payout_member"
	KeyExportFormat Key = "err.export_format"
)

// message is a key's code and English text, a text/template over its Args
// with two functions: field (a field key in words) and q (Go-quoted).
type message struct {
	code string
	text string
	tmpl *template.Template
}

func (m message) english(args Args) string {
	if m.tmpl == nil {
		return m.text
	}
	var b strings.Builder
	if err := m.tmpl.Execute(&b, map[string]any(args)); err != nil {
		return m.text
	}
	return b.String()
}

// messages holds every key's code and English text: the one list of what a
// user can be told went wrong.
var messages = map[Key]message{
	KeyInternal: {code: EINTERNAL, text: "internal error"},

	KeyRequired:      {code: EINVALID, text: "{{field .Field}} is required"},
	KeyTooShort:      {code: EINVALID, text: "{{field .Field}} must be at least {{.Min}} characters"},
	KeyTooLong:       {code: EINVALID, text: "{{field .Field}} must be at most {{.Max}} characters (got {{.Got}})"},
	KeyNotUTF8:       {code: EINVALID, text: "{{field .Field}} is not valid UTF-8"},
	KeyNUL:           {code: EINVALID, text: "{{field .Field}} contains a NUL character"},
	KeyMarkdown:      {code: EINVALID, text: "{{field .Field}}: {{.Detail}}"},
	KeyEmailLong:     {code: EINVALID, text: "email must be at most {{.Max}} bytes"},
	KeyEmailInvalid:  {code: EINVALID, text: "email {{q .Email}} is not a valid address"},
	KeyTagEmpty:      {code: EINVALID, text: "tags must not be empty"},
	KeyTagLong:       {code: EINVALID, text: "tag {{q .Tag}} is longer than {{.Max}} characters"},
	KeyTagChars:      {code: EINVALID, text: "tag {{q .Tag}} contains {{q .Char}}; tags may hold letters, digits and - _ . + #"},
	KeyTagsMany:      {code: EINVALID, text: "at most {{.Max}} tags{{if .Got}} (got {{.Got}}){{end}}"},
	KeyReasonRequire: {code: EINVALID, text: "a reason is required to decline a question"},
	KeyReasonsMany:   {code: EINVALID, text: "at most {{.Max}} canned reasons (got {{.Got}})"},
	KeyPage:          {code: EINVALID, text: "page must be between 1 and {{.Max}}"},
	KeyPerPage:       {code: EINVALID, text: "per_page must be between 1 and {{.Max}}"},
	KeyPageStart:     {code: EINVALID, text: "page and per_page start at 1"},
	KeyDateInvalid:   {code: EINVALID, text: "date {{q .Date}} must be YYYY-MM-DD"},
	KeyTimeZone:      {code: EINVALID, text: "time zone {{q .Zone}} is not an IANA zone name such as Asia/Shanghai"},
	KeyRole:          {code: EINVALID, text: "role must be member or expert"},
	KeyScope:         {code: EINVALID, text: "scope must be read or write"},
	KeyStatus:        {code: EINVALID, text: "status must be one of {{.Allowed}}"},
	KeySort:          {code: EINVALID, text: "sort must be {{.Allowed}}"},
	KeyStanding:      {code: EINVALID, text: "standing must be one of {{.Allowed}}"},
	KeySearchLong:    {code: EINVALID, text: "the search text must be at most {{.Max}} characters"},
	KeyWholeNumber:   {code: EINVALID, text: "{{.Name}} must be a whole number"},
	KeyBoolean:       {code: EINVALID, text: "{{.Name}} must be true or false"},
	KeyRequestToken:  {code: EINVALID, text: "the request token (the form's, or the Idempotency-Key header) must be 1–64 printable ASCII characters"},

	KeyNotFound:     {code: ENOTFOUND, text: "{{if .What}}{{.What}} {{end}}not found"},
	KeyNoPage:       {code: ENOTFOUND, text: "there is no page here"},
	KeyNoRoute:      {code: ENOTFOUND, text: "no such API route: {{.Method}} {{.Path}}"},
	KeyNoDraft:      {code: ENOTFOUND, text: "no draft"},
	KeyExists:       {code: ECONFLICT, text: "already exists"},
	KeyBadReference: {code: EINVALID, text: "refers to something that does not exist"},
	KeyRetry:        {code: ECONFLICT, text: "a concurrent change got in the way; try again"},

	KeySignIn:           {code: EUNAUTHORIZED, text: "wrong email or password"},
	KeySignInLimited:    {code: ERATELIMITED, text: "too many failed sign-ins; try again in {{.Minutes}} minutes"},
	KeySessionEnded:     {code: EUNAUTHORIZED, text: "your session has ended; sign in again"},
	KeySignInFirst:      {code: EUNAUTHORIZED, text: "sign in first"},
	KeyAuthHeader:       {code: EUNAUTHORIZED, text: `the Authorization header must be "Bearer TOKEN"`},
	KeyExpertOnly:       {code: EFORBIDDEN, text: "only the expert may do this"},
	KeyReadOnly:         {code: EFORBIDDEN, text: "this token is read-only; use a token with the write scope"},
	KeyMembersAsk:       {code: EFORBIDDEN, text: "only members ask questions"},
	KeyExpired:          {code: EFORBIDDEN, text: "your membership has expired; renew it to ask questions"},
	KeyQuota:            {code: ERATELIMITED, text: "you have asked {{.N}} questions in the last 30 days, the most your membership allows; the next one can be asked on {{.Date}} (declined and expired questions give their credit back), or choose a larger plan on /join"},
	KeyWithdrawAsker:    {code: EFORBIDDEN, text: "only the asker may withdraw a question"},
	KeyAnonymousOff:     {code: EINVALID, text: "the expert has turned anonymous asking off; ask without it"},
	KeyDraftsExpert:     {code: EFORBIDDEN, text: "only the expert's own account keeps drafts"},
	KeyTokenSelf:        {code: EFORBIDDEN, text: "you can only create tokens for yourself"},
	KeyTokenReadOnly:    {code: EFORBIDDEN, text: "a read token cannot create a write token"},
	KeyTokensOwn:        {code: EFORBIDDEN, text: "you can only list your own tokens"},
	KeyTokenInvalid:     {code: EUNAUTHORIZED, text: "the token is not valid"},
	KeyFeedMembers:      {code: EFORBIDDEN, text: "only members have feed tokens"},
	KeyFeedLink:         {code: EUNAUTHORIZED, text: "this feed link is not valid (it was replaced or revoked)"},
	KeyMembersOnly:      {code: EUNAUTHORIZED, text: "this answer is for members only"},
	KeyPasswordOwn:      {code: EFORBIDDEN, text: "you can only change your own password"},
	KeyPasswordShort:    {code: EINVALID, text: "password must be at least {{.Min}} characters"},
	KeyPasswordLong:     {code: EINVALID, text: "password must be at most {{.Max}} characters"},
	KeyPasswordsDiffer:  {code: EINVALID, text: "the two passwords differ"},
	KeyCurrentPassword:  {code: EINVALID, text: "the current password is wrong"},
	KeyEmailTaken:       {code: ECONFLICT, text: "a member with the email {{.Email}} already exists"},
	KeyLastExpert:       {code: ECONFLICT, text: "the last expert cannot lose the expert role"},
	KeySetupLink:        {code: EUNAUTHORIZED, text: "this setup link is not valid (it was used, has expired, or was replaced by a newer one)"},
	KeyMemberDisabled:   {code: EFORBIDDEN, text: "this account is disabled; ask the community's owner"},
	KeyNoMemberForEmail: {code: ENOTFOUND, text: "no member with the email {{.Email}}"},

	KeyQuestionClosed: {code: ECONFLICT, text: "the question is already {{.Status}}"},
	KeyTransition:     {code: ECONFLICT, text: "a question that is {{.From}} cannot become {{.To}}"},
	KeyNotPublished:   {code: EINVALID, text: "answer {{.ID}} is not a published answer"},
	KeySelectNone:     {code: EINVALID, text: "select at least one question"},
	KeySelectMany:     {code: EINVALID, text: "select at most {{.Max}} questions at once"},

	KeyCodeInvalid:  {code: EINVALID, text: "this code is not valid"},
	KeyCodeLimited:  {code: ERATELIMITED, text: "too many wrong codes; try again in {{.Minutes}} minutes"},
	KeyCodeDays:     {code: EINVALID, text: "days must be between 1 and {{.Max}}"},
	KeyCodeUses:     {code: EINVALID, text: "uses must be between 1 and {{.Max}}"},
	KeyCodeExpiry:   {code: EINVALID, text: "the code's expiry must be in the next 10 years"},
	KeySystemRedeem: {code: EFORBIDDEN, text: "the system does not redeem codes"},
	KeyRenewMembers: {code: EFORBIDDEN, text: "only members renew"},
	KeyRenewNoEnd:   {code: ECONFLICT, text: "your membership has no end date; there is nothing to renew"},

	KeyWebhookURL:     {code: EINVALID, text: "the webhook URL must be an http or https URL without credentials"},
	KeyWebhookEvent:   {code: EINVALID, text: "unknown event {{q .Event}}; events are {{.Events}}"},
	KeyEventsRequired: {code: EINVALID, text: "pick at least one event"},

	KeySourceIDMissing:  {code: EINVALID, text: "the source id is missing"},
	KeySourceIDLong:     {code: EINVALID, text: "the source id is longer than {{.Max}} bytes"},
	KeyImportStatus:     {code: EINVALID, text: "status {{q .Status}} cannot be imported here"},
	KeyQuestionIDBad:    {code: EINVALID, text: "the question id is missing or bad"},
	KeyImportNoQuestion: {code: ENOTFOUND, text: "question {{q .ID}} is not in the archive"},
	KeyImportNoAnswer:   {code: ENOTFOUND, text: "the original question {{q .ID}} has no published answer"},
	KeyImportClosed:     {code: ECONFLICT, text: "question {{q .ID}} is already {{.Status}}"},
	KeyBackupPostgres:   {code: EINVALID, text: "backup copies SQLite databases; for Postgres use pg_dump (see the README)"},
	KeyBackupExists:     {code: ECONFLICT, text: "{{.Path}} exists already; choose a new file"},

	KeySearchRebuilding:  {code: EUNAVAILABLE, text: "search is being rebuilt{{if .Total}} ({{.Done}} of {{.Total}} answers){{end}}; try again shortly"},
	KeySearchUnavailable: {code: EUNAVAILABLE, text: "search is not available"},
	KeyNotSearchable:     {code: EUNAVAILABLE, text: "the change is saved but not yet searchable"},
	KeySearchSlow:        {code: EUNAVAILABLE, text: "the search took too long; try fewer or more specific words"},
	KeyQueryComplex:      {code: EINVALID, text: "the query is too complex; use fewer words"},
	KeyQueryUTF8:         {code: EINVALID, text: "the query is not valid UTF-8"},
	KeyQueryLong:         {code: EINVALID, text: "the query is too long: {{.Got}} characters, at most {{.Max}}"},
	KeyQueryWords:        {code: EINVALID, text: "the query has too many words: at most {{.Max}}"},
	KeyQueryPhrases:      {code: EINVALID, text: "the query has too many phrases: at most {{.Max}}"},
	KeyQueryExcluded:     {code: EINVALID, text: "the query excludes too many words: at most {{.Max}}"},
	KeyQueryTags:         {code: EINVALID, text: "the query has too many tags: at most {{.Max}}"},
	KeySearchTags:        {code: EINVALID, text: "too many tags: at most {{.Max}}"},
	KeyTextLong:          {code: EINVALID, text: "the text is too long"},
	KeyTextUTF8:          {code: EINVALID, text: "the text is not valid UTF-8"},

	KeyFormLarge:      {code: ETOOLARGE, text: "the form is too large"},
	KeyBodyLarge:      {code: ETOOLARGE, text: "the request body is larger than {{.Max}} bytes"},
	KeyBodyUnreadable: {code: EINVALID, text: "the request body could not be read"},
	KeyBodyEmpty:      {code: EINVALID, text: "the request body is empty; send a JSON object"},
	KeyBodyUTF8:       {code: EINVALID, text: "the request body is not valid UTF-8"},
	KeyJSONSyntax:     {code: EINVALID, text: "malformed JSON at byte {{.Offset}}"},
	KeyJSONType:       {code: EINVALID, text: "field {{q .Name}} must be {{.Kind}}"},
	KeyJSONObject:     {code: EINVALID, text: "the request body must be a JSON object"},
	KeyJSONEnd:        {code: EINVALID, text: "malformed JSON: the body ends too early"},
	KeyJSONMalformed:  {code: EINVALID, text: "malformed JSON"},
	KeyJSONOne:        {code: EINVALID, text: "the request body must hold exactly one JSON object"},
	KeyEmbedForeign:   {code: ENOTFOUND, text: "not an answer of this site"},
	KeyOEmbedSize:     {code: EINVALID, text: "maxwidth and maxheight must be positive whole numbers"},
	KeyFeedSuffix:     {code: ENOTFOUND, text: "feeds end in .atom"},
	KeyCrossOrigin:    {code: EFORBIDDEN, text: "cross-origin request refused"},
	KeyMethod:         {code: EMETHOD, text: "{{.Method}} is not allowed here (allowed: {{.Allow}})"},

	KeyMarkReadMany:     {code: EINVALID, text: "at most {{.Max}} notifications at once"},
	KeyTopic:            {code: EINVALID, text: "unknown e-mail topic {{q .Topic}}"},
	KeyMailMode:         {code: EINVALID, text: "e-mail mode {{q .Mode}} must be now, daily, weekly or never"},
	KeyUnsubscribeLink:  {code: EINVALID, text: "this unsubscribe link is not valid"},
	KeyResetLink:        {code: EINVALID, text: "this password link is not valid (it was used, has expired, or another link was used since)"},
	KeyConfirmLink:      {code: EINVALID, text: "this confirmation link is not valid (it was used, has expired, or another link was used since)"},
	KeyResetLimited:     {code: ERATELIMITED, text: "too many password links asked for; try again in {{.Minutes}} minutes"},
	KeyConfirmLimited:   {code: ERATELIMITED, text: "too many confirmation links asked for; try again in {{.Minutes}} minutes"},
	KeyEmailUnconfirmed: {code: EFORBIDDEN, text: "confirm your e-mail address first: follow the link we sent to it"},
	KeyFollowsMany:      {code: EINVALID, text: "you can follow at most {{.Max}} tags"},
	KeyCodeCount:        {code: EINVALID, text: "count must be between 1 and {{.Max}}"},
	KeyPlanName:         {code: EINVALID, text: "a plan needs a name, in English or in Chinese"},
	KeyPlanAmount:       {code: EINVALID, text: "the price must be between 0 and {{.Max}} in the currency's smallest unit (cents, fen)"},
	KeyPlanCurrency:     {code: EINVALID, text: "the currency must be a three-letter ISO 4217 code such as usd or cny"},
	KeyPlanPeriod:       {code: EINVALID, text: "the period must be between 1 and {{.Max}} days"},
	KeyPlanQuestions:    {code: EINVALID, text: "questions per period must be empty (unlimited) or between 0 and {{.Max}}"},
	KeyPlanTrial:        {code: EINVALID, text: "trial days must be between 0 and {{.Max}}"},
	KeyPlansMany:        {code: EINVALID, text: "at most {{.Max}} plans"},
	KeySettingLang:      {code: EINVALID, text: "the default language must be en or zh-Hans"},
	KeySettingQuota:     {code: EINVALID, text: "the question quota of members without a plan must be empty (unlimited) or between 0 (read-only) and {{.Max}}"},
	KeySettingExpire:    {code: EINVALID, text: "pending questions expire after 0 (never) to {{.Max}} days"},
	KeySettingFixed:     {code: EINVALID, text: "{{.Field}} is fixed by {{.Flag}} when the server starts; start it without the flag to change it here"},
	KeyQuotaReadOnly:    {code: EFORBIDDEN, text: "your plan is read-only: it includes no questions; choose a plan with questions on /join or renew with a code on /account"},
	KeyCodePlan:         {code: EINVALID, text: "plan {{.ID}} is not on sale: a code can only give an active plan"},
	KeyReferralPercent:  {code: EINVALID, text: "the referral share must be between 0 and {{.Max}} percent"},
	KeyReferralDays:     {code: EINVALID, text: "referral days must be between 0 and {{.Max}}"},
	KeyReferralWindow:   {code: EINVALID, text: "the refund window must be between 0 and {{.Max}} days"},
	KeyEmbedTTL:         {code: EINVALID, text: "expires_in must be between {{.Min}} and {{.Max}} seconds"},
	KeyTrialPlan:        {code: EINVALID, text: "this plan has no free trial"},
	KeyTrialRefused:     {code: EINVALID, text: "this e-mail cannot start a trial (one trial per address; a member renews on the account page)"},
	KeyTrialLimited:     {code: ERATELIMITED, text: "too many trials from here; try again in {{.Minutes}} minutes"},
	KeyTrialMembers:     {code: EINVALID, text: "you are a member already: renew on the account page"},
	KeyCheckoutLimited:  {code: ERATELIMITED, text: "too many payments were started from here; try again in {{.Minutes}} minutes"},
	KeySMTPURL:          {code: EINVALID, text: "--smtp {{q .URL}} must look like smtp://user:password@host:587 (STARTTLS; ?starttls=off to send in the clear) or smtps://user:password@host:465 ({{.Reason}})"},
	KeyMailFrom:         {code: EINVALID, text: "--mail-from {{q .From}} must be an address such as \"Name <answers@example.com>\""},

	// lifecycle
	KeyLastExpertDisable: {code: ECONFLICT, text: "the last expert cannot be disabled"},
	KeyImportOrphan:      {code: ENOTFOUND, text: "its question {{q .ID}} is not in the archive"},
	KeyImportAnswered:    {code: ECONFLICT, text: "question {{q .ID}} already has an answer"},

	// security
	KeyBusy:            {code: ERATELIMITED, text: "the server is busy; try again in a moment"},
	KeyDBUnavailable:   {code: EUNAVAILABLE, text: "the database cannot be reached right now; try again in a moment"},
	KeyCopyTarget:      {code: ECONFLICT, text: "the target database is not empty ({{.Table}} has {{.N}} rows): copy into a new, empty database"},
	KeyPasswordLimited: {code: ERATELIMITED, text: "too many wrong passwords; try again in {{.Minutes}} minutes"},
	KeySetupLimited:    {code: ERATELIMITED, text: "too many setup attempts; try again in {{.Minutes}} minutes"},
	KeyJoinRefused:     {code: EINVALID, text: "this code is not valid for this email (a member renews on the account page)"},
	KeyWebhookOverlap:  {code: EINVALID, text: "the overlap must be between 0 and {{.Max}} hours"},

	KeyTagSame:      {code: EINVALID, text: "tag {{q .Tag}} cannot be renamed or merged into itself"},
	KeyTagExists:    {code: ECONFLICT, text: "tag {{q .Tag}} exists already; merge into it instead"},
	KeySynonymTaken: {code: ECONFLICT, text: "{{q .Synonym}} is already a synonym of the tag {{q .Tag}}"},
	KeySynonymsMany: {code: EINVALID, text: "at most {{.Max}} synonyms per tag"},
	KeyReviewMonths: {code: EINVALID, text: "review months must be between 0 (never) and {{.Max}}"},
	// images in answers
	KeyImageEmpty:   {code: EINVALID, text: "send an image (PNG, JPEG, GIF or WebP) in the field \"file\" or as the body"},
	KeyImageLarge:   {code: ETOOLARGE, text: "an image must be at most {{.MiB}} MiB; nothing was stored"},
	KeyImageType:    {code: EINVALID, text: "only PNG, JPEG, GIF and WebP images can be uploaded (this is {{.Type}}); nothing was stored"},
	KeyImageBroken:  {code: EINVALID, text: "this {{.Type}} image cannot be read; nothing was stored"},
	KeyImagePixels:  {code: EINVALID, text: "an image may have at most {{.Side}} pixels a side and {{.Megapixels}} megapixels (this is {{.Width}}×{{.Height}}); nothing was stored"},
	KeyImageMembers: {code: EFORBIDDEN, text: "this image belongs to answers for members only"},
	// payments and referrals
	KeyPayOff:       {code: ENOTFOUND, text: "payments are not set up on this site; join with a membership code"},
	KeyPayPlan:      {code: EINVALID, text: "this plan cannot be bought (it is retired, free or unknown)"},
	KeyPayEmail:     {code: EINVALID, text: "this e-mail cannot join by payment; if you are a member, sign in and renew on your account page"},
	KeyPayProvider:  {code: EUNAVAILABLE, text: "the payment provider could not be reached; nothing was charged, try again in a moment"},
	KeyPaySignature: {code: EINVALID, text: "the payment event's signature does not verify"},
	KeyPayUnknown:   {code: EINVALID, text: "the payment event is about a payment this site does not know"},
	KeyPayMismatch:  {code: EINVALID, text: "the payment event's amount or currency does not match the payment"},
	KeyPayPending:   {code: ECONFLICT, text: "the payment is not confirmed yet; this page will know once the payment provider confirms it"},
	KeyPayoutMember: {code: EINVALID, text: "choose the member (member_id) whose payable referral credits are paid"},
	KeyExportFormat: {code: EINVALID, text: "format must be one of {{.Allowed}}"},
}

func init() {
	funcs := template.FuncMap{
		"field": func(v any) string { return FieldName(fmt.Sprint(v)) },
		"q":     func(v any) string { return fmt.Sprintf("%q", fmt.Sprint(v)) },
	}
	for k, m := range messages {
		if strings.Contains(m.text, "{{") {
			m.tmpl = template.Must(template.New(string(k)).Funcs(funcs).Option("missingkey=zero").Parse(m.text))
			messages[k] = m
		}
	}
}

// Keys returns every message key, sorted: the list the catalogs must
// translate.
func Keys() []Key {
	out := make([]Key, 0, len(messages))
	for k := range messages {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// KeyCode returns the error code of a key's message ("" for an unknown key).
func KeyCode(k Key) string { return messages[k].code }

// KeyMessage returns a key's English text filled with args.
func KeyMessage(k Key, args Args) string { return messages[k].english(args) }

// placeholder finds the argument names a message's English text uses.
var placeholder = regexp.MustCompile(`\.([A-Z]\w*)`)

// KeyArgs returns the names of the arguments a key's English text uses,
// sorted: what the catalogs' translations may use.
func KeyArgs(k Key) []string {
	seen := map[string]bool{}
	for _, m := range placeholder.FindAllStringSubmatch(messages[k].text, -1) {
		seen[m[1]] = true
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
