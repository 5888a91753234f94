-- What a repository is for: a one-line description and a README in Markdown.
ALTER TABLE repository
    ADD COLUMN description TEXT NOT NULL DEFAULT '',
    ADD COLUMN readme      TEXT NOT NULL DEFAULT '';
