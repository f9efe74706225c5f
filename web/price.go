package web

import (
	"strconv"
	"strings"

	"answerbook/qa"
)

// currencySymbols are the signs of the currencies a community here is
// likely to sell in; others show their ISO code.
var currencySymbols = map[string]string{"cny": "¥", "usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "hkd": "HK$", "twd": "NT$",
	"sgd": "S$", "aud": "A$", "cad": "C$", "krw": "₩"}

// formatAmount writes an amount in the currency's minor unit in its major
// unit ("2990" cny is "29.90"); grouped, whole units get thousands commas.
func formatAmount(amount int64, currency string, grouped bool) string {
	digits := qa.CurrencyDigits(currency)
	s := strconv.FormatInt(amount, 10)
	if len(s) <= digits {
		s = strings.Repeat("0", digits-len(s)+1) + s
	}
	whole, frac := s[:len(s)-digits], s[len(s)-digits:]
	if grouped {
		for i := len(whole) - 3; i > 0; i -= 3 {
			whole = whole[:i] + "," + whole[i:]
		}
	}
	if digits == 0 {
		return whole
	}
	return whole + "." + frac
}

// Price shows a plan's price with its currency: "¥299.00", "$9.90",
// "CHF 12.00".
func (v view) Price(amount int64, currency string) string {
	n := formatAmount(amount, currency, true)
	if sym, ok := currencySymbols[currency]; ok {
		return sym + n
	}
	return strings.ToUpper(currency) + " " + n
}

// PlanName is a plan's name in the reader's language.
func (v view) PlanName(p *qa.Plan) string { return p.Name(v.L.Code()) }
