/*
 * The FastCGI server both responders share (pitwall-fcgi and the
 * embedded judge's API, pitwall-judge): threads that each accept on the
 * socket spawn-fcgi passes as fd 0 (FCGX_Accept_r), and a main thread
 * that takes the signals.  SIGHUP/SIGUSR1 reopen the log file (rotation);
 * SIGTERM/SIGINT stop accepting and let the requests in flight finish
 * (scripts/fcgi-reload relies on it).
 */
#ifndef PITWALL_FCGI_SERVER_H
#define PITWALL_FCGI_SERVER_H

#include <stddef.h>

#include <fcgiapp.h>

struct fcgi_server {
	int		  nthreads;
	void		 *threads;	/* nthreads per-thread contexts … */
	size_t		  thread_size;	/* … of this size each */
	/* The FCGX_Request a thread accepts into (kept in its context). */
	FCGX_Request	*(*request)(void *thread);
	/* Serve the request just accepted; finish it (FCGX_Finish_r). */
	void		 (*serve)(void *thread);
	/* Called by the main thread about once a second, or NULL. */
	void		 (*tick)(void *arg);
	void		 *tick_arg;
};

/*
 * Block the signals the main thread takes; call before any thread is
 * started (libraries' included).
 */
void	fcgi_server_signals(void);

/*
 * Start the threads and serve until SIGTERM or SIGINT, then wait for the
 * requests in flight.  0, or -1 when a thread could not be started.
 */
int	fcgi_server_run(const struct fcgi_server *s);

/* The request's path: DOCUMENT_URI, else SCRIPT_NAME, else "/". */
const char	*fcgi_request_path(FCGX_ParamArray envp);

#endif
