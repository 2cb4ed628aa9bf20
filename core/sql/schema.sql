-- The whole DuckDB schema of the monitoring dashboard, in one place.
-- One row in `submission` per workbook received (accepted or rejected);
-- the data tables hold the rows of accepted workbooks only, keyed by
-- submission_id. Which submission is "in force" for a county x month is
-- the `in_force` flag, switched inside the same transaction that stores
-- a new accepted workbook (or restores an old one).

CREATE SEQUENCE IF NOT EXISTS submission_seq START 1;

CREATE TABLE IF NOT EXISTS submission (
    id            INTEGER PRIMARY KEY DEFAULT nextval('submission_seq'),
    county        VARCHAR,              -- null when it could not be determined
    period        VARCHAR,              -- 'YYYY-MM', null when undeterminable
    file_name     VARCHAR NOT NULL,     -- as received (no directory)
    sha256        VARCHAR NOT NULL,
    received_at   TIMESTAMP NOT NULL,   -- when the county sent it (--received-at)
    ingested_at   TIMESTAMP NOT NULL,   -- when this tool stored it
    status        VARCHAR NOT NULL CHECK (status IN ('accepted', 'rejected')),
    in_force      BOOLEAN NOT NULL DEFAULT FALSE,
    replaces      INTEGER,              -- submission in force before this one
    archive_path  VARCHAR NOT NULL,     -- raw file, relative to the archive dir
    n_errors      INTEGER NOT NULL DEFAULT 0,
    n_warnings    INTEGER NOT NULL DEFAULT 0,
    rows_json     VARCHAR,              -- {"学校名册": 212, ...}
    review_status VARCHAR,              -- null | approved | returned
    review_comment VARCHAR,
    submitted_by  VARCHAR               -- account name, 'cli' for the command line
);

CREATE TABLE IF NOT EXISTS submission_issue (
    submission_id INTEGER NOT NULL,
    seq           INTEGER NOT NULL,
    severity      VARCHAR NOT NULL,     -- error | warning
    sheet         VARCHAR,
    excel_row     INTEGER,
    column_name   VARCHAR,              -- header as written in the file
    value         VARCHAR,
    message       VARCHAR NOT NULL,
    PRIMARY KEY (submission_id, seq)
);

-- 学校名册
CREATE TABLE IF NOT EXISTS school (
    submission_id INTEGER NOT NULL,
    school_id     VARCHAR NOT NULL,     -- 10-digit 学校标识码
    name          VARCHAR NOT NULL,
    county        VARCHAR NOT NULL,
    school_type   VARCHAR NOT NULL,     -- 学段类型
    locale        VARCHAR NOT NULL,     -- 城乡类型
    students      INTEGER NOT NULL,
    classes       INTEGER NOT NULL,
    teachers      INTEGER NOT NULL,
    PRIMARY KEY (submission_id, school_id)
);

-- 体育
CREATE TABLE IF NOT EXISTS pe (
    submission_id     INTEGER NOT NULL,
    school_id         VARCHAR NOT NULL,
    lessons_g12       DOUBLE,
    lessons_g36       DOUBLE,
    lessons_g79       DOUBLE,
    lessons_g1012     DOUBLE,
    activity_minutes  DOUBLE NOT NULL,
    fitness_tested    INTEGER,
    fitness_passed    INTEGER,
    fitness_good      INTEGER,
    PRIMARY KEY (submission_id, school_id)
);

-- 作业
CREATE TABLE IF NOT EXISTS homework (
    submission_id     INTEGER NOT NULL,
    school_id         VARCHAR NOT NULL,
    g12_written       BOOLEAN,          -- 一二年级布置书面家庭作业
    g36_minutes       DOUBLE,
    g79_minutes       DOUBLE,
    publicity         BOOLEAN NOT NULL, -- 作业公示制度
    afterschool       INTEGER,          -- 课后服务参与学生数
    PRIMARY KEY (submission_id, school_id)
);

-- 优质学校 (optional sheet; carried forward)
CREATE TABLE IF NOT EXISTS quality (
    submission_id     INTEGER NOT NULL,
    school_id         VARCHAR NOT NULL,
    level             VARCHAR NOT NULL, -- 无 | 县级 | 市级 | 省级
    year              INTEGER,
    higher_degree_teachers INTEGER NOT NULL,
    backbone_teachers INTEGER NOT NULL,
    pe_art_teachers   INTEGER NOT NULL,
    teaching_area     DOUBLE NOT NULL,  -- 平方米
    sports_area       DOUBLE NOT NULL,  -- 平方米
    equipment_value   DOUBLE NOT NULL,  -- 万元
    multimedia_rooms  INTEGER NOT NULL,
    PRIMARY KEY (submission_id, school_id)
);

-- 综合育人 (optional sheet; carried forward 12 months)
CREATE TABLE IF NOT EXISTS whole_child (
    submission_id     INTEGER NOT NULL,
    school_id         VARCHAR NOT NULL,
    labor_lessons     DOUBLE NOT NULL,  -- 劳动教育周课时
    psych_fulltime    INTEGER NOT NULL, -- 专职心理健康教师数
    psych_parttime    INTEGER,          -- 兼职心理健康教师数 (blank = not reported)
    parent_school     BOOLEAN NOT NULL, -- 合格家长学校
    parent_committee  BOOLEAN NOT NULL, -- 家长委员会
    PRIMARY KEY (submission_id, school_id)
);

-- Audit log: who did what, when (ingest, restore, approve, return, reopen).
CREATE SEQUENCE IF NOT EXISTS audit_seq START 1;
CREATE TABLE IF NOT EXISTS audit_log (
    id            INTEGER PRIMARY KEY DEFAULT nextval('audit_seq'),
    "at"          TIMESTAMP NOT NULL,  -- quoted: `at` is a keyword in DuckDB 2.0
    actor         VARCHAR NOT NULL,
    action        VARCHAR NOT NULL,
    submission_id INTEGER,
    county        VARCHAR,
    period        VARCHAR,
    sha256        VARCHAR,
    detail        VARCHAR
);

-- County-months the administrator reopened after the due date.
CREATE TABLE IF NOT EXISTS reopened (
    county        VARCHAR NOT NULL,
    period        VARCHAR NOT NULL,
    "at"          TIMESTAMP NOT NULL,  -- quoted: `at` is a keyword in DuckDB 2.0
    actor         VARCHAR NOT NULL,
    PRIMARY KEY (county, period)
);
