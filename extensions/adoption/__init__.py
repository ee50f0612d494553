"""Bring a Lich project made by the original `lich init` (cookiecutter) under this template.

    python3 <template>/extensions/adopt.py PROJECT [--runner temporal|celery|none]
                                                   [--vcs-ref REF] [--skip-tests]

Needs python3, git and `copier` (with copier-template-extensions) on PATH, and the network (uv
locks the project's dependencies). The project must be a clean, committed git work tree made by
`lich init`, without `.copier-answers.yml`. All or nothing: on any failure the tree is exactly as
before. In one commit, the command:

1. derives the answers from what the project has and uses, and says why: which runner library
   and runner modules its own code imports, runner files edited since `lich init` wrote them,
   `.lich/PROJECT_CONFIG.yaml`, `requirements.txt`, `.env`, `docker-compose.yml`, the git
   history's author. When the evidence does not decide, it stops and asks for `--runner`;
2. keeps the names running systems depend on: the Temporal task queue and namespace, the Celery
   broker and result URLs and queue, the Temporal address;
3. adds the template's files the project lacks; the chosen runner's files replace `lich init`'s
   stubs (an edited one is kept in `lich-kept/adopted-<runner>/`); the other runner's files go
   (an edited one to `lich-kept/adopted-unused/`), unless the project's code imports them;
   every other file the project has stays its own, with these additions: the dependencies of
   `backend/requirements.txt` in `backend/pyproject.toml` (and `uv.lock`), the template's
   ignore rules in `.gitignore`, the template's keys first in `.env.example` (the project's own
   kept below them), `compose/jobs.yml` included by `docker-compose.yml` (services it now
   provides leave `docker-compose.yml`, whose former version goes to `lich-kept/adopted/`),
   and `.env` completed with generated passwords;
4. runs the project's tests before and after (unless `--skip-tests`) and lists the ones that fail.

Afterwards `copier update --trust --defaults -d task_runner=...` works like in any project made
from the template.
"""
