// MARK: - The Classifier target
//
// Files a description under facility, IT or services: the naive Bayes model, its text normaliser,
// the training corpus (a resource) and the evaluation report.
