package reports

// Placing labels along one row of a chart so that none is drawn over another label or a
// marker, and none passes the row's ends: a label goes on its preferred side of its marker,
// else on the other side, else nowhere (its marker keeps the tooltip). A label that must be
// shown may cross markers.

// Estimated widths of one label character, in pixels.
const (
	charW10     = 6.0 // 10px text
	charW10Bold = 7.2 // 10px bold text
)

// labelRow is the pixel range [lo, hi] of a row and what is already drawn in it.
type labelRow struct {
	lo, hi float64
	used   []extent // markers and labels
	labels []extent // labels
}

// block reserves [lo, hi] for a marker.
func (r *labelRow) block(lo, hi float64) { r.used = append(r.used, extent{lo, hi}) }

// place finds room for a label of width w next to a marker at px, gap pixels away, on the
// left first if preferLeft. It returns the text's anchor x and whether the text ends there
// (text-anchor end); ok is false when neither side has room.
func (r *labelRow) place(px, w, gap float64, preferLeft bool) (x float64, end, ok bool) {
	return r.placeAs(px, w, gap, preferLeft, false)
}

// placeAs is place; with force, a label that finds no free room may cross other markers
// (never labels or the row's ends).
func (r *labelRow) placeAs(px, w, gap float64, preferLeft, force bool) (x float64, end, ok bool) {
	right := extent{px + gap, px + gap + w}
	left := extent{px - gap - w, px - gap}
	sides := []bool{false, true} // end-anchored: the left side
	if preferLeft {
		sides = []bool{true, false}
	}
	for _, leftSide := range sides {
		e := right
		if leftSide {
			e = left
		}
		if e.lo < r.lo || e.hi > r.hi || overlapsAny(r.used, e.lo-2, e.hi+2) && !(force && !overlapsAny(r.labels, e.lo-2, e.hi+2)) {
			continue
		}
		r.used, r.labels = append(r.used, e), append(r.labels, e)
		if leftSide {
			return e.hi, true, true
		}
		return e.lo, false, true
	}
	return 0, false, false
}
