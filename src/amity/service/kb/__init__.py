"""The knowledge base: articles in categories, written as drafts, reviewed, published with their versions, searched.

`services.py` holds every write, `search.py` the full-text search and the suggestions for a case, `selectors.py`
the other reads. The self-service portal calls `search.search_articles(workspace, query, public_only=True)`.
"""
