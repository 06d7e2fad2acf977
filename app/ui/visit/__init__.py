"""The visit form: recording and editing one follow-up visit, its drafts and its saving.

- `form`: the dialog (`visitDialog`): loading on the runner, checking, saving, leaving;
- `view`: its widgets — the header, one section per open ulcer (`sections`), the groups
  (`groups`, `labs`) — and the form's state read from and put back into them;
- `state`: the Qt-free `VisitFormState` (what was typed), used by `drafts` and `saving`;
- `reading`: the state read into a `VisitInput` (app.domain.typed_input for each value);
- `context`: what the form shows, read once in a runner session;
- `fields`, `feedback`: a field with its reserved message line; findings placed on fields.
"""
