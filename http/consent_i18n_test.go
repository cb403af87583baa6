package http

import "testing"

func TestEveryLanguageHasEveryMessage(t *testing.T) {
	for _, lang := range languages {
		for k := range catalogue["en"] {
			if catalogue[lang][k] == "" {
				t.Errorf("%s lacks message %q", lang, k)
			}
		}
		if len(catalogue[lang]) != len(catalogue["en"]) {
			t.Errorf("%s has %d messages, English %d", lang, len(catalogue[lang]), len(catalogue["en"]))
		}
		if len(purposeWords[lang]) != len(purposeWords["en"]) || len(monthNames[lang][11]) == 0 {
			t.Errorf("%s lacks purpose words or month names", lang)
		}
	}
}
