"""Identity resolution: which contacts are one person and which accounts one organization.

- `records`: a record reduced to what it is compared by (`person(...)`, `organization(...)`).
- `normalize`: the keys (folded names, nicknames, phonetic codes, email, phone and address keys).
- `scoring`: a score from 0 to 1 for two records, with the reasons.
- `engine`: blocking to find the pairs worth scoring among millions, and union–find clusters.
- `loading`: records from the database, a workspace at a time; `services`: scans, candidates, the on-entry check.
"""
