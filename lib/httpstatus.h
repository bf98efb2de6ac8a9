/*
 * HTTP reason phrases for the Status: line of FastCGI replies.
 */
#ifndef PITWALL_HTTPSTATUS_H
#define PITWALL_HTTPSTATUS_H

/* "OK", "Not Found", … (static string; "Unknown" for others). */
const char	*http_status_text(int status);

#endif
