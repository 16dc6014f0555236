"""Notice and takedown of URL reports from hotlines: read them (native JSON, a hotline's CSV export), resolve the
hosting offline with its evidence, route each to the hosting country's hotline and police contact point, track the
notice to removal with its clocks, flag what comes back, export a marked blocklist and count as INHOPE does.

Nothing here ever fetches a reported URL: the hotline's assessment is the input. Like the analysis stages, this
package reads no database and writes none (`store/takedown.py` keeps what it decides).
"""
