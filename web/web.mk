# web/web.mk — the contestant page (Vite), built into web/dist by `make`.
# Included by the top Makefile.  Needs node and npm (packages from the
# npm registry, exactly as web/package-lock.json says); without them the
# page is skipped with a message and nginx serves a placeholder.

WEB_SRC := $(wildcard web/src/*) web/index.html web/jury.html web/vite.config.js web/package.json
WEB_NPM := $(shell command -v npm 2>/dev/null)
WEB_NODE := $(shell command -v node 2>/dev/null)

.PHONY: web web-clean
all: web

ifeq ($(and $(WEB_NPM),$(WEB_NODE)),)
web:
	@echo "web: node/npm not found; the contestant page (web/dist) is not built"
else
web: web/dist/index.html

web/node_modules/.package-lock.json: web/package-lock.json web/package.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SRC)
	cd web && npx --no-install vite build --logLevel warn
endif

web-clean:
	rm -rf web/dist web/node_modules
