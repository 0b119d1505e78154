"""Privacy: the consent log's answers, the data-subject export, erasure on request and retention rules."""
