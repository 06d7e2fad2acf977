"""The visit form: recording and editing one follow-up visit, its drafts and its saving."""
