package http

import (
	"net/http"
	"strings"
)

// catalogue holds the subject pages' words. Each language has every key
// (a test checks); adding a language is adding a map here.
var catalogue = map[string]map[string]string{
	"en": {
		"lang.name":       "English",
		"title":           "Your information and your choices",
		"intro":           "%s keeps some information about you. Here you can see what it is used for, and say yes or no to each use. You can change your mind at any time.",
		"who":             "Who can use it",
		"who.holder":      "%s keeps your information.",
		"who.partners":    "Under their agreement, these partners can also learn from it: %s.",
		"uses":            "What it is used for",
		"state.given":     "You said yes on %s.",
		"state.until":     "Your yes lasts until %s.",
		"state.withdrawn": "You said no on %s. Your information is not used for this.",
		"state.expired":   "Your yes ended on %s. Your information is not used for this until you say yes again.",
		"state.not-given": "You have not said yes. Your information is not used for this.",
		"yes":             "Yes, you may use my information for this",
		"no":              "No, stop using my information for this",
		"saved.given":     "Thank you. We saved your yes.",
		"saved.withdrawn": "Thank you. We saved your no. Your information will no longer be used for this.",
		"scope":           "Saying no only stops this use of your information. It never removes you from the organisation, its meetings, its help or its campaigns.",
		"receipt":         "Download proof of your latest choice",
		"receipt_help":    "The proof is a signed file. Keep it if you want a record of what you chose.",
		"expires":         "This page works until %s. After that, ask %s for a new link.",
		"notfound.title":  "This link does not work",
		"notfound.body":   "It may have expired, been replaced by a newer link, or been typed wrongly. Ask the organisation that gave it to you for a new one.",
		"limit.title":     "Please wait a moment",
		"limit.body":      "Too many requests came from here in a short time. Wait a minute, then try again.",
		"form.title":      "This form is out of date",
		"form.body":       "Please go back, reload the page and try again.",
		"error.title":     "Something went wrong",
		"error.body":      "Your choice was not saved. Please try again later.",
	},
	"fr": {
		"lang.name":       "Français",
		"title":           "Vos informations et vos choix",
		"intro":           "%s garde des informations sur vous. Ici, vous voyez à quoi elles servent, et vous dites oui ou non à chaque usage. Vous pouvez changer d'avis à tout moment.",
		"who":             "Qui peut les utiliser",
		"who.holder":      "%s garde vos informations.",
		"who.partners":    "Selon leur accord, ces partenaires peuvent aussi en tirer des enseignements : %s.",
		"uses":            "À quoi elles servent",
		"state.given":     "Vous avez dit oui le %s.",
		"state.until":     "Votre oui vaut jusqu'au %s.",
		"state.withdrawn": "Vous avez dit non le %s. Vos informations ne servent pas à cela.",
		"state.expired":   "Votre oui a pris fin le %s. Vos informations ne servent pas à cela tant que vous ne dites pas oui à nouveau.",
		"state.not-given": "Vous n'avez pas dit oui. Vos informations ne servent pas à cela.",
		"yes":             "Oui, vous pouvez utiliser mes informations pour cela",
		"no":              "Non, n'utilisez plus mes informations pour cela",
		"saved.given":     "Merci. Votre oui est enregistré.",
		"saved.withdrawn": "Merci. Votre non est enregistré. Vos informations ne serviront plus à cela.",
		"scope":           "Dire non arrête seulement cet usage de vos informations. Cela ne vous retire jamais de l'organisation, de ses réunions, de son aide ou de ses campagnes.",
		"receipt":         "Télécharger la preuve de votre dernier choix",
		"receipt_help":    "La preuve est un fichier signé. Gardez-la si vous voulez une trace de votre choix.",
		"expires":         "Cette page fonctionne jusqu'au %s. Ensuite, demandez un nouveau lien à %s.",
		"notfound.title":  "Ce lien ne fonctionne pas",
		"notfound.body":   "Il a peut-être expiré, été remplacé par un lien plus récent, ou été mal recopié. Demandez-en un nouveau à l'organisation qui vous l'a donné.",
		"limit.title":     "Merci de patienter un instant",
		"limit.body":      "Trop de demandes sont venues d'ici en peu de temps. Attendez une minute, puis réessayez.",
		"form.title":      "Ce formulaire n'est plus à jour",
		"form.body":       "Revenez en arrière, rechargez la page et réessayez.",
		"error.title":     "Un problème est survenu",
		"error.body":      "Votre choix n'a pas été enregistré. Merci de réessayer plus tard.",
	},
}

// purposeWords describe common purpose families in plain words, used when
// the agreement's own description is missing or for another language.
var purposeWords = map[string]map[string]string{
	"en": {
		"advocacy": "Reports and campaigns that push for better housing, health and rights",
		"research": "Studies by researchers working with the organisation",
		"service":  "Planning and improving the services you use",
		"training": "Training staff and volunteers",
	},
	"fr": {
		"advocacy": "Rapports et campagnes pour de meilleurs logements, soins et droits",
		"research": "Études menées par des chercheurs avec l'organisation",
		"service":  "Organiser et améliorer les services que vous utilisez",
		"training": "Former l'équipe et les bénévoles",
	},
}

// languages in the order the language switch shows them.
var languages = []string{"en", "fr"}

// pageLanguage picks ?lang=, then the link's language, then the browser's
// Accept-Language, then English.
func pageLanguage(r *http.Request, linkLang string) string {
	if l := r.FormValue("lang"); catalogue[l] != nil {
		return l
	}
	if catalogue[linkLang] != nil {
		return linkLang
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if catalogue[base] != nil {
			return base
		}
	}
	return "en"
}

// monthNames keep dates readable in each language without a locale library.
var monthNames = map[string][12]string{
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	"fr": {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
}
