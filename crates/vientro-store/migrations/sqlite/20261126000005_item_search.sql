-- Word search over aid items without reading every item: a trigram index (FTS5) over the folded search
-- text, so `LIKE '%nuoc%sach%'` finds candidates from the index. The index reads the text from aid_item
-- (external content) and is kept in step by triggers.
CREATE VIRTUAL TABLE aid_item_search USING fts5 (search_text, content = 'aid_item', content_rowid = 'id', tokenize = 'trigram');
INSERT INTO aid_item_search (aid_item_search) VALUES ('rebuild');

CREATE TRIGGER aid_item_search_insert AFTER INSERT ON aid_item BEGIN
    INSERT INTO aid_item_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER aid_item_search_delete AFTER DELETE ON aid_item BEGIN
    INSERT INTO aid_item_search (aid_item_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER aid_item_search_update AFTER UPDATE OF search_text ON aid_item BEGIN
    INSERT INTO aid_item_search (aid_item_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO aid_item_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
