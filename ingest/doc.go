// Package ingest reads tabular files (CSV, JSON Lines, XLSX) into Accord and
// suggests a type and a column class for each column.
//
// Every reader streams: it holds one record (bounded by
// Options.MaxRecordBytes and Options.MaxColumns) plus a read buffer, so a
// file of any size can be scanned in constant memory. ReadTable builds the
// in-memory, dictionary-encoded anon.Table that the risk and query engines
// use; for CSV it does so without allocating a string per cell.
//
// Every error about the input is an *accord.Error with code
// accord.EINVALID whose message names the line (or spreadsheet row) and the
// column and says what to do. Its cause is a *ParseError with the position.
//
// Column suggestions (Suggest, SuggestTable, Profiler) are only suggestions:
// a custodian confirms every classification before it is used.
package ingest
