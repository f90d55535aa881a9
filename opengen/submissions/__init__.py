"""The schools' side and its moderation: `operations` (propose, edit, cancel, the log), `slots` (when
a session may be held), `links` (secret edit links), `forms`, `imports` (CSV), `moderation` (staff
accounts, the queue, approve, reject, history)."""
