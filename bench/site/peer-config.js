// vanilla-cookieconsent 3 configured like our widget: the same three
// categories, the same English texts, the same policy link.
CookieConsent.run({
  // Its default hides the banner from automated browsers (navigator.webdriver);
  // the bench drives Chromium, so the banner must show as it does to people.
  hideFromBots: false,
  categories: {
    necessary: { enabled: true, readOnly: true },
    analytics: {},
    marketing: {},
  },
  language: {
    default: 'en',
    translations: {
      en: {
        consentModal: {
          title: 'We respect your privacy',
          description: 'We use necessary cookies to make this site work. With your consent we also use cookies for analytics and marketing. You can change your choice at any time.',
          acceptAllBtn: 'Accept all',
          acceptNecessaryBtn: 'Reject all',
          showPreferencesBtn: 'Preferences',
          footer: '<a href="/privacy.html">Privacy &amp; cookie policy</a>',
        },
        preferencesModal: {
          title: 'Cookie preferences',
          acceptAllBtn: 'Accept all',
          acceptNecessaryBtn: 'Reject all',
          savePreferencesBtn: 'Save choices',
          closeIconLabel: 'Close',
          sections: [
            { title: 'Strictly necessary', description: 'Needed for the website and the customer system to work: session and login.', linkedCategory: 'necessary' },
            { title: 'Analytics', description: 'Visits are logged (requested URL, browser details) to analyse how our websites are used.', linkedCategory: 'analytics' },
            { title: 'Marketing', description: 'Measures whether our newsletters are read and which links are clicked.', linkedCategory: 'marketing' },
          ],
        },
      },
    },
  },
});
