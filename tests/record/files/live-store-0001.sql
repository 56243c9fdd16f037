-- A course server's store as the kit made it before the class record owned its events
-- (main at 1d01759: one Alembic chain, live revision 0001, progress_events created by it),
-- with rows in every table: a session of m1, three participants (one anonymous), an
-- answered poll, a question with a vote, two groups and three learner events. Written
-- by that version's LiveService and dumped with sqlite3's iterdump; do not regenerate.
BEGIN TRANSACTION;
CREATE TABLE course_live_alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT course_live_alembic_version_pkc PRIMARY KEY (version_num)
);
INSERT INTO "course_live_alembic_version" VALUES('0001');
CREATE TABLE live_answers (
	id INTEGER NOT NULL, 
	poll_id INTEGER NOT NULL, 
	participant_id INTEGER NOT NULL, 
	value JSON NOT NULL, 
	answered_at DATETIME NOT NULL, 
	CONSTRAINT pk_live_answers PRIMARY KEY (id), 
	CONSTRAINT fk_live_answers_participant_id_live_participants FOREIGN KEY(participant_id) REFERENCES live_participants (id), 
	CONSTRAINT fk_live_answers_poll_id_live_polls FOREIGN KEY(poll_id) REFERENCES live_polls (id), 
	CONSTRAINT uq_live_answers_poll_id UNIQUE (poll_id, participant_id)
);
INSERT INTO "live_answers" VALUES(1,1,1,1,'2026-12-02 17:08:19.011343');
INSERT INTO "live_answers" VALUES(2,1,2,0,'2026-12-02 17:08:19.013071');
CREATE TABLE live_groups (
	id INTEGER NOT NULL, 
	session_id INTEGER NOT NULL, 
	number INTEGER NOT NULL, 
	notebook_path VARCHAR(500), 
	CONSTRAINT pk_live_groups PRIMARY KEY (id), 
	CONSTRAINT fk_live_groups_session_id_live_sessions FOREIGN KEY(session_id) REFERENCES live_sessions (id)
);
INSERT INTO "live_groups" VALUES(1,1,1,NULL);
INSERT INTO "live_groups" VALUES(2,1,2,NULL);
CREATE TABLE live_participants (
	id INTEGER NOT NULL, 
	session_id INTEGER NOT NULL, 
	name VARCHAR(60), 
	anonymous BOOLEAN NOT NULL, 
	secret_hash VARCHAR(64) NOT NULL, 
	group_id INTEGER, 
	joined_at DATETIME NOT NULL, 
	CONSTRAINT pk_live_participants PRIMARY KEY (id), 
	CONSTRAINT fk_live_participants_group_id_live_groups FOREIGN KEY(group_id) REFERENCES live_groups (id), 
	CONSTRAINT fk_live_participants_session_id_live_sessions FOREIGN KEY(session_id) REFERENCES live_sessions (id), 
	CONSTRAINT uq_live_participants_secret_hash UNIQUE (secret_hash)
);
INSERT INTO "live_participants" VALUES(1,1,'ada',0,'fa61046a313c4293797280165a6c540f68c7fb0074c282ddeac0650976fd98c9',2,'2026-12-02 17:08:18.992995');
INSERT INTO "live_participants" VALUES(2,1,'Bo',0,'5b13c90a732acb97d66d00080ddac6cf84c47bd1a17fd7a23f09b4d63680fd3f',1,'2026-12-02 17:08:18.995957');
INSERT INTO "live_participants" VALUES(3,1,NULL,1,'e7311d35385d02a43cd3f387b630320f4465b39c5c0f51e67ecc881d567a104f',1,'2026-12-02 17:08:18.997366');
CREATE TABLE live_polls (
	id INTEGER NOT NULL, 
	session_id INTEGER NOT NULL, 
	"key" VARCHAR(60) NOT NULL, 
	position INTEGER NOT NULL, 
	kind VARCHAR(10) NOT NULL, 
	question VARCHAR(500) NOT NULL, 
	options JSON NOT NULL, 
	correct JSON, 
	state VARCHAR(10) NOT NULL, 
	revealed BOOLEAN NOT NULL, 
	opened_at DATETIME, 
	closed_at DATETIME, 
	CONSTRAINT pk_live_polls PRIMARY KEY (id), 
	CONSTRAINT fk_live_polls_session_id_live_sessions FOREIGN KEY(session_id) REFERENCES live_sessions (id), 
	CONSTRAINT uq_live_polls_session_id UNIQUE (session_id, "key")
);
INSERT INTO "live_polls" VALUES(1,1,'m1-types',1,'single','Which type does 3 / 2 produce?','["int", "float", "str"]','[1]','open',0,'2026-12-02 17:08:19.004551',NULL);
INSERT INTO "live_polls" VALUES(2,1,'m1-collections',2,'multiple','Which of these values can you change after creating them (append, assign to a key)?','["[1, 2, 3]", "(1, 2, 3)", "{''a'': 1}", "''abc''"]','[0, 2]','draft',0,NULL,NULL);
INSERT INTO "live_polls" VALUES(3,1,'m1-slice',3,'numeric','counts = [628, 666, 746, 522, 904]. What is sum(counts[1:3])?','[]','{"value": 1412.0, "tolerance": 0.0}','draft',0,NULL,NULL);
INSERT INTO "live_polls" VALUES(4,1,'m1-comprehension',4,'single','What does [x * 2 for x in [1, 2, 3, 4] if x > 2] evaluate to?','["[6, 8]", "[2, 4, 6, 8]", "[3, 4]", "[False, False, True, True]"]','[0]','draft',0,NULL,NULL);
INSERT INTO "live_polls" VALUES(5,1,'m1-muddiest',5,'text','What was the least clear part of module 1 or ps1? One sentence is enough.','[]','null','draft',0,NULL,NULL);
CREATE TABLE live_questions (
	id INTEGER NOT NULL, 
	session_id INTEGER NOT NULL, 
	participant_id INTEGER, 
	text VARCHAR(500) NOT NULL, 
	votes INTEGER NOT NULL, 
	answered BOOLEAN NOT NULL, 
	hidden BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_live_questions PRIMARY KEY (id), 
	CONSTRAINT fk_live_questions_participant_id_live_participants FOREIGN KEY(participant_id) REFERENCES live_participants (id), 
	CONSTRAINT fk_live_questions_session_id_live_sessions FOREIGN KEY(session_id) REFERENCES live_sessions (id)
);
INSERT INTO "live_questions" VALUES(1,1,1,'Why floats?',1,0,0,'2026-12-02 17:08:19.015184');
CREATE TABLE live_sessions (
	id INTEGER NOT NULL, 
	module_id VARCHAR(40) NOT NULL, 
	title VARCHAR(200) NOT NULL, 
	join_code VARCHAR(12) NOT NULL, 
	state VARCHAR(10) NOT NULL, 
	current_poll_id INTEGER, 
	created_at DATETIME NOT NULL, 
	ended_at DATETIME, 
	CONSTRAINT pk_live_sessions PRIMARY KEY (id), 
	CONSTRAINT uq_live_sessions_join_code UNIQUE (join_code)
);
INSERT INTO "live_sessions" VALUES(1,'m1','Python foundations','3B9SKA','open',1,'2026-12-02 17:08:18.978645',NULL);
CREATE TABLE live_votes (
	question_id INTEGER NOT NULL, 
	participant_id INTEGER NOT NULL, 
	CONSTRAINT pk_live_votes PRIMARY KEY (question_id, participant_id), 
	CONSTRAINT fk_live_votes_participant_id_live_participants FOREIGN KEY(participant_id) REFERENCES live_participants (id), 
	CONSTRAINT fk_live_votes_question_id_live_questions FOREIGN KEY(question_id) REFERENCES live_questions (id)
);
INSERT INTO "live_votes" VALUES(1,2);
CREATE TABLE progress_events (
	id VARCHAR(64) NOT NULL, 
	actor VARCHAR(200) NOT NULL, 
	verb VARCHAR(60) NOT NULL, 
	kind VARCHAR(60) NOT NULL, 
	object_name VARCHAR(300) NOT NULL, 
	course VARCHAR(60), 
	module VARCHAR(60), 
	success BOOLEAN, 
	scaled FLOAT, 
	timestamp VARCHAR(40) NOT NULL, 
	body JSON NOT NULL, 
	received_at DATETIME NOT NULL, 
	CONSTRAINT pk_progress_events PRIMARY KEY (id)
);
INSERT INTO "progress_events" VALUES('00000000-0000-0000-0000-000000000001','ada','checked','exercise','m1-squares','pydata','m1',1,1.0,'2027-01-12T10:00:00.000+00:00','{"id": "00000000-0000-0000-0000-000000000001", "actor": {"name": "ada", "account": {"name": "ada"}, "objectType": "Agent"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/attempted", "display": {"en": "checked"}}, "object": {"id": "urn:blended-course-kit:pydata:exercise:m1-squares", "definition": {"name": {"en": "m1-squares"}, "type": "urn:blended-course-kit:exercise"}}, "result": {"success": true, "score": {"scaled": 1.0}}, "context": {"extensions": {"urn:blended-course-kit:course": "pydata", "urn:blended-course-kit:module": "m1"}}, "timestamp": "2027-01-12T10:00:00.000+00:00"}','2026-12-02 17:08:19.036612');
INSERT INTO "progress_events" VALUES('00000000-0000-0000-0000-000000000002','bo','checked','exercise','m1-squares','pydata','m1',0,0.5,'2027-01-12T10:00:00.000+00:00','{"id": "00000000-0000-0000-0000-000000000002", "actor": {"name": "bo", "account": {"name": "bo"}, "objectType": "Agent"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/attempted", "display": {"en": "checked"}}, "object": {"id": "urn:blended-course-kit:pydata:exercise:m1-squares", "definition": {"name": {"en": "m1-squares"}, "type": "urn:blended-course-kit:exercise"}}, "result": {"success": false, "score": {"scaled": 0.5}}, "context": {"extensions": {"urn:blended-course-kit:course": "pydata", "urn:blended-course-kit:module": "m1"}}, "timestamp": "2027-01-12T10:00:00.000+00:00"}','2026-12-02 17:08:19.039033');
INSERT INTO "progress_events" VALUES('00000000-0000-0000-0000-000000000003','bo','checked','exercise','m1-squares','pydata','m1',0,0.9,'2027-01-12T10:00:00.000+00:00','{"id": "00000000-0000-0000-0000-000000000003", "actor": {"name": "bo", "account": {"name": "bo"}, "objectType": "Agent"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/attempted", "display": {"en": "checked"}}, "object": {"id": "urn:blended-course-kit:pydata:exercise:m1-squares", "definition": {"name": {"en": "m1-squares"}, "type": "urn:blended-course-kit:exercise"}}, "result": {"success": false, "score": {"scaled": 0.9}}, "context": {"extensions": {"urn:blended-course-kit:course": "pydata", "urn:blended-course-kit:module": "m1"}}, "timestamp": "2027-01-12T10:00:00.000+00:00"}','2026-12-02 17:08:19.039828');
CREATE INDEX ix_progress_events_actor ON progress_events (actor);
CREATE INDEX ix_live_groups_session_id ON live_groups (session_id);
CREATE INDEX ix_live_polls_session_id ON live_polls (session_id);
CREATE INDEX ix_live_participants_session_id ON live_participants (session_id);
CREATE INDEX ix_live_answers_poll_id ON live_answers (poll_id);
CREATE INDEX ix_live_questions_session_id ON live_questions (session_id);
COMMIT;
