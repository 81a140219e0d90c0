// MARK: - The Classifier target
//
// Suggests a ticket's category (facility, IT, services) and severity from its description, with
// calibrated confidences and the words behind them: the linear text models (naive Bayes, logistic
// regression for comparison), the text normaliser, the bundled corpora (resources), `TriageModel`
// (fit, suggest, learn from overrides), model selection and the evaluation reports.
