"""Sage Intacct's REST API (v1): OAuth 2.0, the HTTP client, and the XML functions over REST."""
